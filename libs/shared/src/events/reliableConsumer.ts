import type { Logger } from "../logging";
import type { Metrics } from "../metrics";
import type { EventEnvelope } from "./envelope";
import type { DeliveryCounter } from "./deliveryCounter";
import type { KafkaSecurity } from "./kafkaConnection";
import { KafkaClient, type PartitionLag } from "./kafka";
import { reliableHandler, type EventOutcome } from "./reliableHandler";

export interface ReliableConsumerSettings<E> {
  brokers: string[];
  clientId: string;
  topic: string;
  /** Partitions of the topic when this consumer is the first to create it (ORDER_EVENTS_PARTITIONS). */
  partitions: number;
  groupId: string;
  /** Partitions handled at once (default 1); order still holds within each. */
  concurrency?: number;
  /** In-process attempts and first backoff, as in reliableHandler (its defaults when omitted). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** Failed deliveries before a message is dead-lettered whatever the cause (default 5). */
  maxDeliveries?: number;
  /** Counts failed deliveries across redeliveries and replicas (default: in this process). */
  deliveries?: DeliveryCounter;
  /** The consumer's own event, or null for a type it ignores; throw PermanentEventError for a broken payload. */
  parse: (envelope: EventEnvelope) => E | null;
  handle: (event: E) => Promise<"processed" | "duplicate" | "skipped">;
  /** TLS and SASL settings (kafkaSecurity). */
  security?: KafkaSecurity;
  /** Create the topic and its DLQ when missing (local stack, tests); off where a Job creates them. */
  createTopics?: boolean;
  onOutcome?: (outcome: EventOutcome, eventType: string) => void;
  /** Registers the group's lag per partition and its dead letters (see consumerMetrics). */
  metrics?: Metrics;
  logger: Logger;
}

export interface RunningConsumer {
  /** Per assigned partition, messages past what this member has processed (no broker call). */
  lag(): PartitionLag[];
  /** The message in hand finishes and commits, then the consumer and the DLQ producer disconnect. */
  stop(): Promise<void>;
}

/**
 * Consumes a topic through reliableHandler (retries, DLQ at `<topic>.dlq`, request id restored),
 * creating the topic and its DLQ when missing so a consumer may start before the first publish.
 */
export async function startReliableConsumer<E>(
  settings: ReliableConsumerSettings<E>,
): Promise<RunningConsumer> {
  const { topic, groupId, logger } = settings;
  const kafka = new KafkaClient({
    brokers: settings.brokers,
    clientId: settings.clientId,
    logger,
    security: settings.security,
  });
  const dlqTopic = `${topic}.dlq`;
  if (settings.createTopics ?? true)
    await kafka.ensureTopics([
      { topic, partitions: settings.partitions },
      { topic: dlqTopic, partitions: 1 },
    ]);
  const dlq = await kafka.producer();
  const consumer = kafka.consumer(groupId);
  const deadLettered = settings.metrics
    ? consumerMetrics(settings.metrics, groupId, () => consumer.lag())
    : undefined;
  const onOutcome = (outcome: EventOutcome, eventType: string) => {
    if (outcome === "dead_lettered") deadLettered?.inc({ group: groupId, topic });
    settings.onOutcome?.(outcome, eventType);
  };
  try {
    await consumer.run(
      [topic],
      reliableHandler({
        groupId,
        dlq,
        dlqTopic,
        logger,
        onOutcome,
        maxAttempts: settings.maxAttempts,
        maxDeliveries: settings.maxDeliveries,
        deliveries: settings.deliveries,
        baseBackoffMs: settings.backoffBaseMs,
        handle: async (envelope) => {
          const event = settings.parse(envelope);
          return event === null ? "skipped" : settings.handle(event);
        },
      }),
      { partitionsConsumedConcurrently: settings.concurrency },
    );
  } catch (error) {
    await consumer.stop().catch(() => undefined);
    await dlq.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    lag: () => consumer.lag(),
    async stop() {
      await consumer.stop();
      await dlq.disconnect();
    },
  };
}

/**
 * `kafka_consumer_lag_messages{group,topic,partition}` read from the consumer's memory at scrape
 * time, and `kafka_consumer_dead_lettered_total{group,topic}` (returned, for the caller to count).
 * Each member reports only its own partitions, so `sum by (group)` is the group's lag.
 */
export function consumerMetrics(metrics: Metrics, group: string, lag: () => PartitionLag[]) {
  metrics.gauge(
    "kafka_consumer_lag_messages",
    "Messages of a partition past what this consumer group member has processed, as of its last fetch",
    ["group", "topic", "partition"],
    function collect() {
      this.reset();
      for (const p of lag())
        this.set({ group, topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  );
  return metrics.counter(
    "kafka_consumer_dead_lettered_total",
    "Messages this consumer group sent to the dead-letter topic, by the topic they came from",
    ["group", "topic"],
  );
}
