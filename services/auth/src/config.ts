import path from "node:path";
import { ConfigError, env, httpServiceEnv, loadConfig, ownedDatabaseEnv } from "@app/shared";
import { z } from "zod";
import { isAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./domain/password";

export const authConfigSchema = z.object({
  ...httpServiceEnv(3001),
  ...ownedDatabaseEnv("mysql://root@127.0.0.1:3306/auth", 10),
  REDIS_URL: env.urlWithDefault("redis://127.0.0.1:6379"),
  REDIS_KEY_PREFIX: z.string().default("auth:"),
  /** Service tokens accepted on /internal (the notifier's user lookup). */
  INTERNAL_TOKENS: env.list("local-internal-token"),

  /** PEM text (literal "\n" sequences allowed, as many secret stores flatten newlines). */
  JWT_PRIVATE_KEY: env.optionalText(),
  JWT_PRIVATE_KEY_FILE: env.optionalText(),
  /** Default: the RFC 7638 thumbprint of the public key. */
  JWT_KEY_ID: env.optionalText(),
  /** The key being rotated out: still published in the JWKS so tokens it signed stay valid. */
  JWT_PREVIOUS_PUBLIC_KEY: env.optionalText(),
  JWT_PREVIOUS_PUBLIC_KEY_FILE: env.optionalText(),
  JWT_PREVIOUS_KEY_ID: env.optionalText(),
  /** Where a local run without configured keys keeps its generated key pair (git-ignored). */
  KEYS_DIR: z.string().min(1).default(path.resolve(__dirname, "../../../.local/keys")),
  JWT_ISSUER: z.string().min(1).default("product-ordering-auth"),
  JWT_AUDIENCE: z.string().min(1).default("product-ordering"),
  ACCESS_TOKEN_TTL_SECONDS: env.int(900, 1),
  REFRESH_TOKEN_TTL_SECONDS: env.int(30 * 24 * 3600, 1),
  /** 0 turns the periodic purge off (another replica or a job does it). */
  REFRESH_TOKEN_PURGE_INTERVAL_MS: env.int(3_600_000, 0),
  REFRESH_TOKEN_PURGE_BATCH_SIZE: env.int(1000, 1),

  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  ADMIN_EMAIL: env.optionalText(),
  ADMIN_PASSWORD: env.optionalText(),

  /** Failures for one email from one client: the lock one guesser meets. */
  LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT: env.int(5, 1),
  /** Failures from one client across emails (spraying). */
  LOGIN_MAX_FAILURES_PER_CLIENT: env.int(20, 1),
  /** Failures for one email across every client: far higher, so no one client can lock it. */
  LOGIN_MAX_FAILURES_PER_EMAIL: env.int(100, 1),
  LOGIN_THROTTLE_WINDOW_SECONDS: env.int(900, 1),

  /** Registrations one client may make per window (429 TOO_MANY_ATTEMPTS beyond). */
  REGISTER_MAX_PER_CLIENT: env.int(10, 1),
  REGISTER_WINDOW_SECONDS: env.int(3600, 1),
  /** Registrations hashing a password at once in this process (503 BUSY beyond, never queued). */
  REGISTER_HASHING_MAX_IN_FLIGHT: env.int(2, 1),
  /** Retry-After of a 503 BUSY. */
  BUSY_RETRY_AFTER_SECONDS: env.int(1, 1),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;

const LOCAL_ADMIN = { email: "admin@example.com", password: "change-me-admin-1" };

/**
 * Reads the environment. Production must name its signing key and its admin explicitly; the
 * local conveniences (generated key pair, default admin) exist only outside production.
 */
export function loadAuthConfig(source: Record<string, string | undefined>): AuthConfig {
  const config = loadConfig(authConfigSchema, source);
  if (config.ADMIN_PASSWORD !== undefined && !isAcceptablePassword(config.ADMIN_PASSWORD)) {
    throw new ConfigError([
      {
        variable: "ADMIN_PASSWORD",
        message: `must be ${PASSWORD_MIN_LENGTH}..${PASSWORD_MAX_LENGTH} characters`,
      },
    ]);
  }
  if (config.NODE_ENV !== "production") {
    return {
      ...config,
      ADMIN_EMAIL: config.ADMIN_EMAIL ?? LOCAL_ADMIN.email,
      ADMIN_PASSWORD: config.ADMIN_PASSWORD ?? LOCAL_ADMIN.password,
    };
  }
  const issues: { variable: string; message: string }[] = [];
  if (!config.JWT_PRIVATE_KEY && !config.JWT_PRIVATE_KEY_FILE) {
    issues.push({
      variable: "JWT_PRIVATE_KEY",
      message: "required in production (or JWT_PRIVATE_KEY_FILE)",
    });
  }
  if (!config.ADMIN_EMAIL)
    issues.push({ variable: "ADMIN_EMAIL", message: "required in production" });
  if (!config.ADMIN_PASSWORD)
    issues.push({ variable: "ADMIN_PASSWORD", message: "required in production" });
  if (issues.length) throw new ConfigError(issues);
  return config;
}

/** Where the signing keys come from; production never generates one (validation demanded it). */
export function signingKeySources(config: AuthConfig) {
  return {
    privateKeyPem: config.JWT_PRIVATE_KEY,
    privateKeyFile: config.JWT_PRIVATE_KEY_FILE,
    keyId: config.JWT_KEY_ID,
    previousPublicKeyPem: config.JWT_PREVIOUS_PUBLIC_KEY,
    previousPublicKeyFile: config.JWT_PREVIOUS_PUBLIC_KEY_FILE,
    previousKeyId: config.JWT_PREVIOUS_KEY_ID,
    localKeysDir: config.NODE_ENV === "production" ? undefined : config.KEYS_DIR,
  };
}
