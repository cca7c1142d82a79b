import { env, kafkaConnectionEnv, loadConfig } from "@app/shared";
import { z } from "zod";

export const notifierConfigSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  /** Proxies that may name the client (X-Forwarded-For); default: the gateway on this host. */
  TRUST_PROXY: env.trustProxy("loopback"),
  PORT: env.port(3004),
  DATABASE_URL: env.databaseUrl("mysql://root@127.0.0.1:3306/notifier"),
  /** Apply migrations/ at start (under the runner's lock, so replicas starting together migrate once). */
  MIGRATE_ON_START: env.bool(true),
  DATABASE_POOL_SIZE: env.int(5, 1),
  KAFKA_BROKERS: env.list("127.0.0.1:9092"),
  /** KAFKA_SSL*, KAFKA_SASL_* and KAFKA_CREATE_TOPICS (README, "Kafka security"). */
  ...kafkaConnectionEnv,
  ORDER_EVENTS_TOPIC: z.string().min(1).default("order-events"),
  /** Partitions when this service happens to create the topic first (same value as the relay's). */
  ORDER_EVENTS_PARTITIONS: env.int(3, 1),
  KAFKA_GROUP_ID: z.string().min(1).default("notifier"),
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
  JWKS_URL: env.urlWithDefault("http://127.0.0.1:3001/.well-known/jwks.json"),
  /** The whole key set is fetched again this often (a rotation is seen within it at worst). */
  JWKS_REFRESH_SECONDS: env.int(300, 1),
  JWT_ISSUER: z.string().min(1).default("product-ordering-auth"),
  JWT_AUDIENCE: z.string().min(1).default("product-ordering"),
});

export type NotifierConfig = z.infer<typeof notifierConfigSchema>;

export function loadNotifierConfig(source: Record<string, string | undefined>): NotifierConfig {
  return loadConfig(notifierConfigSchema, source);
}
