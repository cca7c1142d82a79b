import {
  ConfigError,
  env,
  httpServiceEnv,
  loadConfig,
  orderEventsConsumerEnv,
  ownedDatabaseEnv,
  tokenVerificationEnv,
} from "@app/shared";
import { z } from "zod";

export const notifierConfigSchema = z.object({
  ...httpServiceEnv(3004),
  ...ownedDatabaseEnv("mysql://root@127.0.0.1:3306/notifier", 5),
  ...orderEventsConsumerEnv("notifier"),
  CONSUMER_ENABLED: env.bool(true),
  /** Partitions handled in parallel; order within a partition (one order's events) is kept. */
  CONSUMER_CONCURRENCY: env.int(3, 1),
  /** In-process attempts of one message before a bad one is dead-lettered or a failing one handed back to Kafka. */
  EVENT_MAX_ATTEMPTS: env.int(5, 1),
  EVENT_BACKOFF_BASE_MS: env.int(100, 0),
  /** Failed deliveries of one event before it is dead-lettered, whatever the cause. */
  EVENT_MAX_DELIVERIES: env.int(5, 1),
  /** Where failed deliveries are counted across replicas; unset: in each process. */
  REDIS_URL: z.url().optional(),
  REDIS_KEY_PREFIX: z.string().default("notifier:"),
  /** JWKS_URL, JWKS_REFRESH_SECONDS, JWT_ISSUER, JWT_AUDIENCE: how access tokens are checked. */
  ...tokenVerificationEnv,

  /** The delivery worker (README, "Channels"): several replicas share the work through SKIP LOCKED claims. */
  DELIVERY_WORKER_ENABLED: env.bool(true),
  DELIVERY_POLL_INTERVAL_MS: env.int(500, 1),
  DELIVERY_BATCH_SIZE: env.int(10, 1),
  /** How long a claimed delivery is kept from other workers; longer than a send's timeout. */
  DELIVERY_LEASE_SECONDS: env.int(60, 1),
  DELIVERY_BACKOFF_BASE_MS: env.int(1000, 1),
  DELIVERY_BACKOFF_MAX_MS: env.int(3_600_000, 1),
  /** A delivery not sent this long after its event is FAILED instead of retried. */
  DELIVERY_MAX_AGE_SECONDS: env.int(3 * 24 * 3600, 1),

  /** Email: off (no email deliveries written) while SMTP_HOST is unset. */
  SMTP_HOST: env.optionalText(),
  SMTP_PORT: env.port(587),
  /** Implicit TLS (usually port 465); otherwise STARTTLS when offered. */
  SMTP_SECURE: env.bool(false),
  /** Refuse to send unless STARTTLS succeeds. */
  SMTP_REQUIRE_TLS: env.bool(false),
  SMTP_USER: env.optionalText(),
  SMTP_PASSWORD: env.optionalText(),
  SMTP_TIMEOUT_MS: env.int(10_000, 1),
  EMAIL_FROM: z.string().min(3).default("Product Ordering <orders@example.com>"),
  /** Right-hand side of Message-IDs: <eventId@EMAIL_MESSAGE_ID_DOMAIN>. */
  EMAIL_MESSAGE_ID_DOMAIN: z.string().min(1).default("notifier.product-ordering"),
  /** Where a customer's email address comes from (auth's POST /internal/v1/users/lookup). */
  AUTH_URL: env.urlWithDefault("http://127.0.0.1:3001"),
  AUTH_TOKEN: z.string().min(1).default("local-internal-token"),

  WEBHOOK_TIMEOUT_MS: env.int(10_000, 1),
  /** An endpoint failing without a success this long is disabled. */
  WEBHOOK_DISABLE_AFTER_SECONDS: env.int(24 * 3600, 1),
  /** Allow loopback, private and link-local webhook addresses and plain http (local stack, tests). */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: env.bool(false),
});

export type NotifierConfig = z.infer<typeof notifierConfigSchema>;

export function loadNotifierConfig(source: Record<string, string | undefined>): NotifierConfig {
  const config = loadConfig(notifierConfigSchema, source);
  const longestSendMs = Math.max(config.SMTP_TIMEOUT_MS, config.WEBHOOK_TIMEOUT_MS);
  // A lease shorter than a send would hand a delivery still being sent to another worker.
  if (config.DELIVERY_LEASE_SECONDS * 1000 <= longestSendMs)
    throw new ConfigError([
      {
        variable: "DELIVERY_LEASE_SECONDS",
        message: `must be longer than SMTP_TIMEOUT_MS and WEBHOOK_TIMEOUT_MS (${longestSendMs} ms)`,
      },
    ]);
  return config;
}
