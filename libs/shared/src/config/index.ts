import { isIP } from "node:net";
import { z } from "zod";
import { parseDatabaseUrlOptions } from "../database/urlOptions";

/** Raised when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} (${i.message})`).join("; ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Secrets this repository publishes (README, the local stack, compose, the chart's dev values):
 * the default admin password, the internal tokens and the database passwords. Anyone can read
 * them; tests/delivery checks that every one the files publish is here.
 */
export const DOCUMENTED_DEFAULT_SECRETS: readonly string[] = [
  "change-me-admin-1",
  "local-internal-token",
  "dev-internal-token",
  "dev-password",
  "root-password",
  ...["auth", "catalog", "orders", "notifier", "relay", "archiver"].map(
    (u) => `${u}-local-password`,
  ),
];

// A connection URL's password (mysql://user:password@host/db), when the value is one.
const urlPassword = (value: string): string | undefined => {
  if (!value.includes("://")) return undefined;
  try {
    return decodeURIComponent(new URL(value).password) || undefined;
  } catch {
    return undefined;
  }
};

// The signing key the local stack generates (auth's KEYS_DIR, `.local/keys` in a checkout).
const LOCAL_KEY_PATH = /(^|[\\/])\.local[\\/]keys[\\/]|(^|[\\/])auth-signing-key\.pem$/;

const isDevelopmentSecret = (value: string) =>
  DOCUMENTED_DEFAULT_SECRETS.includes(value) ||
  DOCUMENTED_DEFAULT_SECRETS.includes(urlPassword(value) ?? "") ||
  LOCAL_KEY_PATH.test(value);

/**
 * With NODE_ENV=production, every variable holding a documented default secret or the local
 * stack's generated key (defaults included: a default that is a secret counts as holding it).
 */
export function developmentSecretIssues(
  config: Record<string, unknown>,
): { variable: string; message: string }[] {
  if (config.NODE_ENV !== "production") return [];
  return Object.entries(config)
    .filter(([, value]) =>
      (Array.isArray(value) ? value : [value]).some(
        (item) => typeof item === "string" && isDevelopmentSecret(item),
      ),
    )
    .map(([variable]) => ({
      variable,
      message: "holds a documented development secret; production needs its own",
    }));
}

/**
 * Parses the environment against a zod object schema whose keys are variable names.
 * Every problem is collected so one start-up failure lists every bad variable at once.
 * In production a documented default secret is refused whatever the service.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    const issues = developmentSecretIssues(result.data as Record<string, unknown>);
    if (issues.length) throw new ConfigError(issues);
    return result.data;
  }
  const issues = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? "(root)"),
    message: issue.message,
  }));
  throw new ConfigError(issues);
}

/** Building blocks for service schemas, so every service spells the same variable the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** An IP address to listen on: 0.0.0.0 or :: for every interface, 127.0.0.1 for this host only. */
  listenAddress: (fallback: string) =>
    z
      .string()
      .refine((value) => isIP(value) !== 0, {
        message: "must be an IP address to listen on, such as 0.0.0.0, :: or 127.0.0.1",
      })
      .default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  url: () => z.url(),
  urlWithDefault: (fallback: string) => z.url().default(fallback),
  /** A mysql:// URL whose query string the driver understands (TLS, key exchange, pool). */
  databaseUrl: (fallback: string) =>
    z
      .url()
      .default(fallback)
      .superRefine((value, ctx) => {
        try {
          parseDatabaseUrlOptions(new URL(value).searchParams);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
  string: () => z.string().min(1),
  /** Optional text where an empty variable (`SMTP_HOST=` in a compose file) means "not set". */
  optionalText: () =>
    z.preprocess((value) => (value === "" ? undefined : value), z.string().min(1).optional()),
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1"),
  list: (fallback?: string) =>
    (fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback)).transform(
      (v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
    ),
  /**
   * Express's `trust proxy`: which hops in front of the service may set X-Forwarded-For.
   * `false` (none: the socket address is the client), a hop count (`1`: the one gateway in front,
   * whatever its address), or addresses, CIDRs and the names `loopback`, `linklocal`,
   * `uniquelocal`, comma separated.
   */
  trustProxy: (fallback: string) =>
    z
      .string()
      .trim()
      .min(1)
      .default(fallback)
      .transform((v): boolean | number | string =>
        v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v,
      ),
  logLevel: () => z.enum(["error", "warn", "info", "http", "debug"]).default("info"),
  nodeEnv: () => z.enum(["development", "test", "production"]).default("development"),
};

/** Runs a start-up function and turns a ConfigError into one clear line and exit code 78 (EX_CONFIG). */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

/** What every HTTP service reads alike; only the default port differs. Spread into a schema. */
export const httpServiceEnv = (defaultPort: number) => ({
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  /** Proxies that may name the client (X-Forwarded-For); default: the gateway on this host. */
  TRUST_PROXY: env.trustProxy("loopback"),
  PORT: env.port(defaultPort),
  /** Every interface, as a container needs; the local stack keeps its services to loopback. */
  HOST: env.listenAddress("0.0.0.0"),
});

/** A service that owns its database: where it is, whether it migrates at start, its pool size. */
export const ownedDatabaseEnv = (defaultUrl: string, defaultPoolSize: number) => ({
  DATABASE_URL: env.databaseUrl(defaultUrl),
  /** Apply migrations/ at start (under the runner's lock, so replicas starting together migrate once). */
  MIGRATE_ON_START: env.bool(true),
  DATABASE_POOL_SIZE: env.int(defaultPoolSize, 1),
});

/** Where a service that checks access tokens finds auth's public keys, and what a token must say. */
export const tokenVerificationEnv = {
  JWKS_URL: env.urlWithDefault("http://127.0.0.1:3001/.well-known/jwks.json"),
  /** The whole key set is fetched again this often (a rotation is seen within it at worst). */
  JWKS_REFRESH_SECONDS: env.int(300, 1),
  JWT_ISSUER: z.string().min(1).default("product-ordering-auth"),
  JWT_AUDIENCE: z.string().min(1).default("product-ordering"),
};
