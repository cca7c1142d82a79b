import { contextFromHeaders, runWithContext } from "../context";
import type { Logger } from "../logging";
import type { Metrics } from "../metrics";
import type { EnvelopeReader } from "./envelopeReader";
import type { DeliveryCounter } from "./deliveryCounter";
import type { KafkaSecurity } from "./kafkaConnection";
import { KafkaClient, type IncomingMessage, type PartitionLag } from "./kafka";
import { reliableHandler, type EventOutcome } from "./reliableHandler";

type HandledOutcome = "processed" | "duplicate" | "skipped";

type Envelope = { eventId: string; eventType: string };

export interface ReliableConsumerSettings<E, V extends Envelope> {
  /** How the topic's envelopes are read (e.g. orderEventEnvelopes). */
  envelopes: EnvelopeReader<V>;
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
  parse: (envelope: V) => E | null;
  handle: (event: E) => Promise<HandledOutcome>;
  /**
   * Handles the parsed events of a fetched batch at once (one partition's, oldest first), one
   * outcome per event in the same order. When it throws, or a message of the batch does not
   * parse, the batch is handled again one message at a time through `handle` with its retries
   * and the DLQ, so it must be as idempotent as `handle`.
   */
  handleBatch?: (events: E[]) => Promise<HandledOutcome[]>;
  /** The most messages handed to handleBatch at once (default 500). */
  maxBatchSize?: number;
  /** TLS and SASL settings (kafkaSecurity). */
  security?: KafkaSecurity;
  /** Create the topic and its DLQ when missing (local stack, tests); off where a Job creates them. */
  createTopics?: boolean;
  onOutcome?: (outcome: EventOutcome, eventType: string) => void;
  /** Registers the group's lag per partition and its dead letters (see consumerMetrics). */
  metrics?: Metrics;
  logger: Logger;
}

/**
 * What a service's consumer entry point (its api/, as routes are for HTTP) decides: how a
 * message is read and parsed, which use case handles it, how outcomes are counted. The rest of
 * ReliableConsumerSettings is wiring that main.ts supplies.
 */
export type ConsumerEntryPoint<E, V extends Envelope> = Pick<
  ReliableConsumerSettings<E, V>,
  "envelopes" | "parse" | "handle" | "handleBatch" | "onOutcome"
>;

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
export async function startReliableConsumer<E, V extends Envelope>(
  settings: ReliableConsumerSettings<E, V>,
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
  const perMessage = reliableHandler({
    envelopes: settings.envelopes,
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
  });
  const options = { partitionsConsumedConcurrently: settings.concurrency };
  const handleBatch = settings.handleBatch;
  try {
    if (handleBatch)
      await consumer.runBatches(
        [topic],
        async (messages) => {
          const handled = () => batchHandled(messages, settings, handleBatch, onOutcome);
          // A lone message keeps its request id in the log lines, as on the one-by-one path.
          const fast = await (messages.length === 1
            ? runWithContext(
                contextFromHeaders(messages[0]!.headers, { kind: "service", name: "kafka" }),
                handled,
              )
            : handled());
          if (fast) return;
          for (const message of messages) await perMessage(message);
        },
        { ...options, maxBatchSize: settings.maxBatchSize },
      );
    else await consumer.run([topic], perMessage, options);
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

/**
 * The fast path of a batch: every message parsed, then one call of `handleBatch`. False when a
 * message does not parse or the call fails, for the caller to go message by message instead.
 */
async function batchHandled<E, V extends Envelope>(
  messages: IncomingMessage[],
  { envelopes, parse, logger }: ReliableConsumerSettings<E, V>,
  handleBatch: (events: E[]) => Promise<HandledOutcome[]>,
  onOutcome: (outcome: EventOutcome, eventType: string) => void,
): Promise<boolean> {
  let parsed: { type: string; event: E | null }[];
  try {
    parsed = messages.map((m) => {
      const envelope = envelopes.parse(m.value);
      return { type: envelopes.typeLabel(envelope.eventType), event: parse(envelope) };
    });
  } catch {
    return false; // the one-by-one path dead-letters what is broken
  }
  const events = parsed.flatMap((p) => (p.event === null ? [] : [p.event]));
  let outcomes: HandledOutcome[] = [];
  try {
    if (events.length) outcomes = await handleBatch(events);
  } catch (error) {
    logger.warn("batch handling failed; handling its messages one at a time", {
      messages: messages.length,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
  let next = 0;
  for (const p of parsed) onOutcome(p.event === null ? "skipped" : outcomes[next++]!, p.type);
  return true;
}
