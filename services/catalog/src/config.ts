import {
  env,
  httpServiceEnv,
  loadConfig,
  optionalRedisEnv,
  orderEventsConsumerEnv,
  ownedDatabaseEnv,
  tokenVerificationEnv,
} from "@app/shared";
import { z } from "zod";

export const catalogConfigSchema = z.object({
  ...httpServiceEnv(3002),
  ...ownedDatabaseEnv("mysql://root@127.0.0.1:3306/catalog", 10),
  ...optionalRedisEnv("catalog:"),
  CACHE_TTL_SECONDS: env.int(60, 1),
  ...orderEventsConsumerEnv("catalog"),
  /** Failed deliveries of one event (counted in Redis) before it is dead-lettered, whatever the cause. */
  EVENT_MAX_DELIVERIES: env.int(5, 1),
  RESERVATION_CONSUMER_ENABLED: env.bool(true),
  INTERNAL_TOKENS: env.list("local-internal-token"),
  ORDER_SERVICE_URL: env.urlWithDefault("http://127.0.0.1:3003"),
  ORDER_TOKEN: z.string().min(1).default("local-internal-token"),
  ORDER_SERVICE_TIMEOUT_MS: env.int(2000, 1),
  RESERVATION_TTL_SECONDS: env.int(900, 1),
  /**
   * How long a statement waits for a row lock (`innodb_lock_wait_timeout`) before the reservation
   * is retried, and in the end answered 503 STOCK_CONTENTION: well inside the order service's
   * deadline rather than the server's 50 s.
   */
  DATABASE_LOCK_WAIT_SECONDS: env.int(2, 1),
  /** Attempts of one reservation transaction that hit a deadlock or a lock wait timeout. */
  RESERVATION_MAX_ATTEMPTS: env.int(10, 1),
  RESERVATION_BACKOFF_BASE_MS: env.int(5, 0),
  RESERVATION_BACKOFF_MAX_MS: env.int(100, 0),
  SWEEPER_ENABLED: env.bool(true),
  SWEEPER_INTERVAL_MS: env.int(30_000, 10),
  SWEEPER_BATCH_SIZE: env.int(50, 1),
  /** JWKS_URL, JWKS_REFRESH_SECONDS, JWT_ISSUER, JWT_AUDIENCE: how access tokens are checked. */
  ...tokenVerificationEnv,
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;

export function loadCatalogConfig(source: Record<string, string | undefined>): CatalogConfig {
  return loadConfig(catalogConfigSchema, source);
}
