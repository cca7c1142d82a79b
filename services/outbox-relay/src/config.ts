import { env, httpServiceEnv, kafkaConnectionEnv, loadConfig } from "@app/shared";
import { z } from "zod";

export const relayConfigSchema = z.object({
  /** PORT: health and metrics only, the relay serves no API. */
  ...httpServiceEnv(3005),
  /** The order service's database: the relay reads and settles its outbox_events table. */
  DATABASE_URL: env.databaseUrl("mysql://root@127.0.0.1:3306/orders"),
  DATABASE_POOL_SIZE: env.int(4, 2),
  KAFKA_BROKERS: env.list("127.0.0.1:9092"),
  /** KAFKA_SSL*, KAFKA_SASL_* and KAFKA_CREATE_TOPICS (README, "Kafka security"). */
  ...kafkaConnectionEnv,
  ORDER_EVENTS_TOPIC: z.string().min(1).default("order-events"),
  /** Read and replayed by the DLQ command line (dlqCli.ts). */
  ORDER_EVENTS_DLQ_TOPIC: z.string().min(1).default("order-events.dlq"),
  ORDER_EVENTS_PARTITIONS: env.int(3, 1),
  RELAY_BATCH_SIZE: env.int(50, 1),
  /** With a backlog the loop's batch doubles after each full pass, up to this (adaptiveBatchSize). */
  RELAY_BATCH_SIZE_MAX: env.int(400, 1),
  /** Claims in flight at once while a backlog lasts (one while the outbox keeps up). */
  RELAY_CLAIMS_IN_FLIGHT: env.int(2, 1),
  /** Pause between polls when the outbox is empty; with backlog the next batch starts at once. */
  RELAY_POLL_INTERVAL_MS: env.int(25, 1),
  /** Publish attempts of one row before it is parked as FAILED. */
  RELAY_MAX_ATTEMPTS: env.int(20, 1),
  RELAY_BACKOFF_BASE_MS: env.int(500, 1),
  RELAY_BACKOFF_MAX_MS: env.int(60_000, 1),
  /**
   * Upper bound for one batch's send, a wait behind the other claim's send included: the
   * claimed rows stay locked meanwhile.
   */
  RELAY_SEND_TIMEOUT_MS: env.int(10_000, 100),
  RELAY_RETENTION_HOURS: env.int(168, 0),
  RELAY_RETENTION_CHUNK: env.int(500, 1),
  RELAY_RETENTION_INTERVAL_MS: env.int(60_000, 10),
});

export type RelayConfig = z.infer<typeof relayConfigSchema>;

export function loadRelayConfig(source: Record<string, string | undefined>): RelayConfig {
  return loadConfig(relayConfigSchema, source);
}
