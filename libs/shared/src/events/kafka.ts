// The one place that knows kafkajs (unmaintained since 2023): swap the broker client here only.
import { newId } from "../ids";
import {
  Kafka,
  logLevel,
  type Consumer,
  type IHeaders,
  type KafkaConfig,
  type KafkaMessage,
  type Producer,
} from "kafkajs";
import type { KafkaSecurity } from "./kafkaConnection";
import { offsetCommits } from "./offsetCommits";
import type { Logger } from "../logging";
import {
  failSpan,
  inSpan,
  SpanKind,
  startSpan,
  traceContextFrom,
  traceHeaders,
  TRACEPARENT_HEADER,
} from "../tracing";

export interface OutgoingMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
  /** The trace this message continues (a traceparent stored with it); the active one otherwise. */
  traceparent?: string;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
  timestamp: string;
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** TLS and SASL (kafkaSecurity), for clusters that require them. */
  security?: KafkaSecurity;
  /** Consumers commit what they processed at most this often (default 200 ms). */
  offsetCommitIntervalMs?: number;
}

export interface EventProducer {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
}

export type MessageHandler = (message: IncomingMessage) => Promise<void>;

/** Handles consecutive messages of one partition at once, oldest first. */
export type BatchHandler = (messages: IncomingMessage[]) => Promise<void>;

export interface ConsumeOptions {
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
}

/** The group commits what it processed at most this often (see offsetCommits). */
const OFFSET_COMMIT_INTERVAL_MS = 200;

/** Messages of one partition past what this consumer has processed. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export interface EventConsumer {
  /**
   * Processes messages one at a time per partition, in order. Offsets are committed once per
   * fetched batch and only past messages whose handler resolved, so handlers must be idempotent.
   */
  run(topics: string[], handler: MessageHandler, options?: ConsumeOptions): Promise<void>;
  /**
   * As run, but hands each fetched batch of a partition over at once, in slices of at most
   * `maxBatchSize` (default 500) messages, and commits past a slice only once its handler
   * resolved: one database round trip can cover many messages.
   */
  runBatches(
    topics: string[],
    handler: BatchHandler,
    options?: ConsumeOptions & { maxBatchSize?: number },
  ): Promise<void>;
  /**
   * Lag of each partition this member is assigned, as of its last fetch: the batch's high
   * watermark minus the next offset to process. Read from memory, so a scrape costs no broker
   * round trip, and partitions another member owns are not reported (summing members is right).
   */
  lag(): PartitionLag[];
  stop(): Promise<void>;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const v = Array.isArray(value) ? value[0] : value;
    out[name] = v === undefined ? undefined : v.toString();
  }
  return out;
}

function kafkajsLogCreator(logger?: Logger) {
  return () =>
    ({ level, log }: { level: number; log: { message: string; [k: string]: unknown } }) => {
      if (!logger) return;
      const { message, ...rest } = log;
      const fields = { component: "kafka", ...rest };
      if (level <= logLevel.ERROR) logger.error(message, fields);
      else if (level === logLevel.WARN) logger.warn(message, fields);
      else logger.debug(message, fields);
    };
}

/** Why a send failed: the broker refused the message itself, or Kafka could not take it now. */
export type SendFailure = "rejected" | "unavailable";

// Broker answers about the record itself: resending the same message cannot succeed.
const MESSAGE_REJECTIONS = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_TIMESTAMP",
]);

/**
 * Classifies a failed send. Only a refusal of the message itself is "rejected"; anything else
 * (connection refused or closed, request timeout, no leader, stale metadata, retries exhausted
 * on any of those, a producer the broker no longer knows) says nothing about the message and is
 * "unavailable": the same message may go through once Kafka is back.
 */
export function classifySendError(error: unknown): SendFailure {
  // kafkajs wraps the last failure of its retries (KafkaJSNumberOfRetriesExceeded) in `cause`.
  const seen = new Set<unknown>();
  for (let e = error as { type?: unknown; cause?: unknown } | undefined; e && !seen.has(e);) {
    seen.add(e);
    if (typeof e.type === "string" && MESSAGE_REJECTIONS.has(e.type)) return "rejected";
    e = e.cause as typeof e;
  }
  return "unavailable";
}

/** A fetched kafkajs message as handlers and tools see it. */
function incomingMessage(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

// The group moved on while a batch was handled (the member's session expired under load, or a
// rebalance began): the commit is refused with one of these, and the batch is redelivered.
const REBALANCE_ERRORS = new Set([
  "UNKNOWN_MEMBER_ID",
  "ILLEGAL_GENERATION",
  "REBALANCE_IN_PROGRESS",
  "NOT_COORDINATOR_FOR_GROUP",
]);

/**
 * kafkajs wraps a refused commit in a non-retriable error, and a consumer crashing with one is
 * never restarted (both catalog replicas stopped consuming for good in a chaos run). Its fetch
 * loop rejoins the group on the protocol error itself, so that is what is thrown.
 */
function rethrowRebalance(error: unknown): never {
  let cause = error as { type?: unknown; cause?: unknown } | undefined;
  while (cause && typeof cause === "object") {
    if (typeof cause.type === "string" && REBALANCE_ERRORS.has(cause.type)) throw cause;
    cause = cause.cause as typeof cause;
  }
  throw error;
}

export class KafkaClient {
  private readonly config: KafkaConfig;
  private readonly kafka: Kafka;
  private probe: Kafka | undefined;

  constructor(private readonly settings: KafkaSettings) {
    this.config = {
      clientId: settings.clientId,
      brokers: settings.brokers,
      connectionTimeout: settings.connectionTimeoutMs ?? 3000,
      requestTimeout: settings.requestTimeoutMs ?? 10000,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator(settings.logger),
      // Reconnect attempts at most 2 s apart: a broker that is back is found within that.
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
      ...settings.security,
    };
    this.kafka = new Kafka(this.config);
  }

  /**
   * Idempotent producer with acks=-1 and one request in flight, so per-key order holds across
   * retries. Retries are bounded (kafkajs would retry forever when idempotent) so a broker
   * outage surfaces as an error the caller can count and back off on. Sends go one at a time,
   * in the order asked: the idempotent producer numbers each partition's batches in send order,
   * and kafkajs (unmaintained) has had bugs with concurrent sends there. Callers may still call
   * send concurrently (the relay's claims in flight, consumers' dead letters per partition);
   * the relay measured serial sends no slower (12.4-12.8k vs 11.7-12.1k events/s).
   */
  async producer(): Promise<EventProducer> {
    const producer: Producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    await producer.connect();
    let sending: Promise<unknown> = Promise.resolve();
    const sendNow = async (topic: string, messages: OutgoingMessage[]) => {
      // One producer span per message, each in the trace its message continues; the message
      // carries its span's context to the consumers.
      const spans = messages.map((m) =>
        startSpan(`send ${topic}`, {
          kind: SpanKind.PRODUCER,
          parent: m.traceparent
            ? traceContextFrom({ [TRACEPARENT_HEADER]: m.traceparent })
            : undefined,
          attributes: {
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.kafka.message.key": m.key,
          },
        }),
      );
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: messages.map((m, i) => ({
            key: m.key,
            value: m.value,
            headers: { ...m.headers, ...traceHeaders(spans[i]!.context) },
          })),
        });
      } catch (error) {
        for (const { span } of spans) failSpan(span, error);
        throw error;
      } finally {
        for (const { span } of spans) span.end();
      }
    };
    return {
      send(topic, messages) {
        const turn = sending.then(() => sendNow(topic, messages));
        sending = turn.catch(() => undefined);
        return turn;
      },
      disconnect: () => producer.disconnect(),
    };
  }

  consumer(groupId: string): EventConsumer {
    // A restarted broker remembers the group's members from before; a rebalance waits for the
    // dead ones until their session expires, so the session bounds how long consumption stalls
    // after the broker is back (30 s gave 30-90 s of notification lag in the chaos run, 10 s up
    // to 11 s). 6 s is the broker's minimum (group.min.session.timeout.ms); a heartbeat goes
    // after every slice of a batch, and a slice is one transaction of at most maxBatchSize rows.
    const consumer: Consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 6000,
      rebalanceTimeout: 20000,
      heartbeatInterval: 1000,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 2000 },
    });
    const lags = new Map<string, PartitionLag>();
    const recordLag = (topic: string, partition: number, lag: bigint) =>
      lags.set(`${topic}:${partition}`, { topic, partition, lag: Number(lag < 0n ? 0n : lag) });
    const { logger } = this.settings;
    const commits = offsetCommits(
      (offsets) => consumer.commitOffsets(offsets),
      this.settings.offsetCommitIntervalMs ?? OFFSET_COMMIT_INTERVAL_MS,
      logger,
    );
    // After a rebalance the partitions that moved away are another member's to report and commit.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment;
      const owned = (topic: string, partition: number) => !!assigned[topic]?.includes(partition);
      for (const [key, { topic, partition }] of lags)
        if (!owned(topic, partition)) lags.delete(key);
      commits.keepOnly(owned);
    });
    const spanAttributes = (topic: string, partition: number) => ({
      "messaging.system": "kafka",
      "messaging.destination.name": topic,
      "messaging.consumer.group.name": groupId,
      "messaging.destination.partition.id": String(partition),
    });
    /** Runs the group, handing each fetched batch to `handle` in slices of `sliceSize`. */
    const consume = async (
      topics: string[],
      options: ConsumeOptions,
      sliceSize: number,
      handle: (slice: IncomingMessage[]) => Promise<void>,
    ) => {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const { topic, partition } = batch;
          const highWatermark = BigInt(batch.highWatermark);
          let next: string | undefined;
          if (!batch.isEmpty())
            recordLag(topic, partition, highWatermark - BigInt(batch.firstOffset()!));
          try {
            for (let i = 0; i < batch.messages.length; i += sliceSize) {
              if (!isRunning() || isStale()) break;
              const slice = batch.messages
                .slice(i, i + sliceSize)
                .map((message) => incomingMessage(topic, partition, message));
              await handle(slice);
              const last = slice[slice.length - 1]!.offset;
              resolveOffset(last);
              next = (BigInt(last) + 1n).toString();
              recordLag(topic, partition, highWatermark - BigInt(next));
              await heartbeat();
            }
          } finally {
            // Only messages whose handler resolved are committed, with the group's other
            // partitions, at most once per interval (a commit per message cost the notifier
            // 171 against 863 messages/s; one per batch was the broker's busiest request).
            if (next !== undefined)
              await commits.processed({ topic, partition, offset: next }).catch(rethrowRebalance);
          }
        },
      });
    };
    // A message's processing continues the trace it carries.
    const inMessageSpan = <T>(message: IncomingMessage, fn: () => Promise<T>) =>
      inSpan(
        `process ${message.topic}`,
        {
          kind: SpanKind.CONSUMER,
          parent: traceContextFrom(message.headers),
          attributes: {
            ...spanAttributes(message.topic, message.partition),
            "messaging.kafka.offset": Number(message.offset),
          },
        },
        fn,
      );
    // Several messages: one span linked to the trace of each (a span has one parent).
    const inBatchSpan = <T>(slice: IncomingMessage[], fn: () => Promise<T>) =>
      slice.length === 1
        ? inMessageSpan(slice[0]!, fn)
        : inSpan(
            `process ${slice[0]!.topic}`,
            {
              kind: SpanKind.CONSUMER,
              linkedTo: slice.map((m) => traceContextFrom(m.headers)),
              attributes: {
                ...spanAttributes(slice[0]!.topic, slice[0]!.partition),
                "messaging.batch.message_count": slice.length,
              },
            },
            fn,
          );
    return {
      run: (topics, handler, options = {}) =>
        consume(topics, options, 1, ([message]) =>
          inMessageSpan(message!, () => handler(message!)),
        ),
      runBatches: (topics, handler, options = {}) =>
        consume(topics, options, options.maxBatchSize ?? 500, (slice) =>
          inBatchSpan(slice, () => handler(slice)),
        ),
      lag: () => [...lags.values()],
      async stop() {
        // What was processed is committed while the consumer still runs: kafkajs skips commits
        // once it is stopping, so a batch still in hand is re-sent to the next member, as before.
        await commits.flushForStop().catch((error: unknown) =>
          logger?.warn("offset commit on stop failed", {
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        await consumer.disconnect();
      },
    };
  }

  /** How many partitions a topic has (it must exist). */
  async partitionCount(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length ?? 0;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Messages of the topic past the group's committed offsets, summed over its partitions (a
   * partition the group never committed counts from its start): 0 when the group is caught up.
   */
  async groupLag(groupId: string, topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      let lag = 0n;
      for (const end of ends) {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
        const from = at === undefined || BigInt(at) < 0n ? BigInt(end.low) : BigInt(at);
        if (BigInt(end.high) > from) lag += BigInt(end.high) - from;
      }
      return Number(lag);
    } finally {
      await admin.disconnect();
    }
  }

  /** Creates missing topics; existing ones are left alone, so it is safe on every start. */
  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length) {
        await admin.createTopics({
          // kafkajs's own leader wait gives up on the "does not host this topic-partition" a
          // broker answers until the new topic's metadata reaches it; waitForPartitionLeaders
          // below treats that as "not yet".
          waitForLeaders: false,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            replicationFactor: -1,
          })),
        });
      }
      await waitForPartitionLeaders(
        admin,
        specs.map((s) => s.topic),
      );
    } catch (error) {
      // Another replica created it between our list and create: that is the outcome we wanted.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
      await waitForPartitionLeaders(
        admin,
        specs.map((s) => s.topic),
      );
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Every message on the topic now, oldest first per partition, read by a throwaway consumer
   * group that commits nothing and is deleted afterwards (operator tools such as the DLQ CLI).
   */
  async readAll(topic: string, timeoutMs = 60_000): Promise<IncomingMessage[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = `${this.settings.clientId}-read-${newId()}`;
    try {
      const ends = new Map<number, bigint>();
      for (const p of await admin.fetchTopicOffsets(topic))
        if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
      if (!ends.size) return [];
      const messages: IncomingMessage[] = [];
      const consumer = this.kafka.consumer({ groupId });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
            timeoutMs,
          );
          // A refusal (no Read on the topic or the group) crashes the consumer: say so now
          // rather than as a timeout a minute later.
          consumer.on(consumer.events.CRASH, ({ payload }) => {
            clearTimeout(timer);
            reject(payload.error);
          });
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ partition, message }) => {
                const end = ends.get(partition);
                if (end === undefined) return;
                messages.push(incomingMessage(topic, partition, message));
                if (BigInt(message.offset) + 1n >= end) ends.delete(partition);
                if (!ends.size) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            })
            .catch(reject);
        });
      } finally {
        await consumer.disconnect();
      }
      return messages.sort((a, b) =>
        a.partition !== b.partition
          ? a.partition - b.partition
          : Number(BigInt(a.offset) - BigInt(b.offset)),
      );
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics, timeout: 10000 });
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Readiness probe: the cluster answers a metadata request. Its client does not retry: a probe
   * reports the state now and must not keep reconnecting after its caller gave up.
   */
  async ping(): Promise<void> {
    this.probe ??= new Kafka({ ...this.config, retry: { retries: 0 } });
    const admin = this.probe.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }
}

const LEADER_WAIT_MS = 30_000;

/** Resolves once every partition of every topic has a leader; throws after LEADER_WAIT_MS. */
async function waitForPartitionLeaders(
  admin: ReturnType<Kafka["admin"]>,
  topics: string[],
): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    let lastProblem: string;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      // A topic that existed before keeps its partition count: every partition it has is led.
      const led = found.filter(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      if (led.length === topics.length) return;
      lastProblem = "a partition has no leader yet";
    } catch (error) {
      // Right after creation a broker may not know the topic yet; anything else is real.
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable && !/does not host this topic-partition|leader/i.test(String(error)))
        throw error;
      lastProblem = String(error);
    }
    if (Date.now() + delay > deadline)
      throw new Error(
        `topics ${topics.join(", ")} have no leader after ${LEADER_WAIT_MS} ms: ${lastProblem}`,
      );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
