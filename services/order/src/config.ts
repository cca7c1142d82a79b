import {
  env,
  httpServiceEnv,
  loadConfig,
  optionalRedisEnv,
  ownedDatabaseEnv,
  tokenVerificationEnv,
} from "@app/shared";
import { z } from "zod";

export const orderConfigSchema = z.object({
  ...httpServiceEnv(3003),
  ...ownedDatabaseEnv("mysql://root@127.0.0.1:3306/orders", 10),
  ...optionalRedisEnv("order:"),
  /** JWKS_URL, JWKS_REFRESH_SECONDS, JWT_ISSUER, JWT_AUDIENCE: how access tokens are checked. */
  ...tokenVerificationEnv,
  /** Service tokens accepted on /internal (the catalog's sweeper). */
  INTERNAL_TOKENS: env.list("local-internal-token"),
  CATALOG_URL: env.urlWithDefault("http://127.0.0.1:3002"),
  CATALOG_TOKEN: z.string().min(1).default("local-internal-token"),
  /** Extra attempts for idempotent catalog calls (reserve with the same id, release), with backoff. */
  CATALOG_RETRIES: env.int(2, 0),
  RETRY_BACKOFF_BASE_MS: env.int(50, 0),
  /** One call's deadline; a slower answer counts as a breaker failure. */
  BREAKER_TIMEOUT_MS: env.int(3000, 1),
  BREAKER_ERROR_THRESHOLD_PERCENTAGE: env.int(50, 1),
  /** How long an open breaker refuses calls before letting one probe through (half-open). */
  BREAKER_RESET_TIMEOUT_MS: env.int(10_000, 1),
  /** Calls within the rolling window before the error percentage may open the breaker. */
  BREAKER_VOLUME_THRESHOLD: env.int(5, 0),
  /** The in-memory stand-in payment provider declines totals above this many minor units. */
  PAYMENT_DECLINE_ABOVE: env.int(1_000_000, 0),
  IDEMPOTENCY_TTL_HOURS: env.int(24, 1),
  /** How long a placement may hold its key before recovery may take it over. */
  PLACEMENT_LEASE_MS: env.int(30_000, 100),
  RECOVERY_ENABLED: env.bool(true),
  RECOVERY_INTERVAL_MS: env.int(10_000, 10),
  RECOVERY_BATCH_SIZE: env.int(50, 1),
});

export type OrderConfig = z.infer<typeof orderConfigSchema>;

export function loadOrderConfig(source: Record<string, string | undefined>): OrderConfig {
  return loadConfig(orderConfigSchema, source);
}
