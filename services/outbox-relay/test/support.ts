import {
  createPool,
  KafkaClient,
  type EventConsumer,
  type IncomingMessage,
  type Pool,
} from "@app/shared";
import {
  createTestDatabase,
  testServers,
  uniqueName,
  waitFor,
  type TestDatabase,
} from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import path from "node:path";
import {
  loadRelayConfig,
  startRelay,
  type RelayConfig,
  type RelayOptions,
  type RunningRelay,
} from "../src/main";

export const ORDER_MIGRATIONS_DIR = path.join(__dirname, "../../order/migrations");

/** The order service's database, migrated by its own migrations: the relay has none. */
export async function anOrderDatabase(): Promise<{ db: TestDatabase; sql: Pool }> {
  const db = await createTestDatabase(ORDER_MIGRATIONS_DIR, "relay");
  return { db, sql: createPool(db.url, { connectionLimit: 3 }) };
}

export function relayConfig(
  databaseUrl: string,
  topic: string,
  overrides: Record<string, string> = {},
): RelayConfig {
  return loadRelayConfig({
    PORT: "0",
    LOG_LEVEL: "error",
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: testServers().kafkaBrokers.join(","),
    ORDER_EVENTS_TOPIC: topic,
    RELAY_POLL_INTERVAL_MS: "20",
    RELAY_BACKOFF_BASE_MS: "20",
    RELAY_RETENTION_INTERVAL_MS: "600000",
    ...overrides,
  });
}

/** An order event as the order service writes it to the outbox, in its own transaction. */
import { anOrderEvent } from "@app/shared/testing";
export { anOrderEvent };

export type OrderEvent = ReturnType<typeof anOrderEvent>;

export interface RowOptions {
  requestId?: string | null;
  status?: "READY" | "PUBLISHED" | "FAILED";
  availableAt?: Date;
  publishedAt?: Date | null;
}

/**
 * Inserts outbox rows the way the order service does (envelope fields in columns, payload in
 * payload), in one transaction: a batch alone commits row by row, and a running relay could
 * claim part of it.
 */
export async function insertOutbox(
  sql: Pool,
  events: OrderEvent[],
  options: RowOptions = {},
): Promise<void> {
  if (!events.length) return;
  const conn = await sql.getConnection();
  try {
    await conn.beginTransaction();
    await conn.batch(
      `INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, request_id, status, available_at, created_at, published_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      events.map((e) => [
        e.eventId,
        e.aggregateType,
        e.aggregateId,
        e.eventType,
        JSON.stringify(e.payload),
        options.requestId === undefined ? randomUUID() : options.requestId,
        options.status ?? "READY",
        options.availableAt ?? new Date(e.occurredAt),
        new Date(e.occurredAt),
        options.publishedAt ?? null,
      ]),
    );
    await conn.commit();
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  } finally {
    await conn.release();
  }
}

export interface OutboxState {
  event_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  published_at: Date | null;
}

export async function outboxRows(sql: Pool): Promise<OutboxState[]> {
  return sql.query(
    "SELECT event_id, status, attempts, last_error, published_at FROM outbox_events ORDER BY id",
  );
}

export async function countByStatus(sql: Pool, status: string): Promise<number> {
  const rows: { n: number }[] = await sql.query(
    "SELECT COUNT(*) AS n FROM outbox_events WHERE status = ?",
    [status],
  );
  return Number(rows[0]!.n);
}

/** Reads a topic from the beginning with its own consumer group, keeping every message. */
export interface TopicCollector {
  messages: IncomingMessage[];
  eventIds(): string[];
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Start it after the relay has connected (it creates the topic), or pass `create` to create the topic first. */
export async function collectTopic(
  topic: string,
  options: { create?: boolean; brokers?: string[] } = {},
): Promise<TopicCollector> {
  const kafka = new KafkaClient({
    brokers: options.brokers ?? testServers().kafkaBrokers,
    clientId: "relay-test",
  });
  if (options.create) await kafka.ensureTopics([{ topic, partitions: 3 }]);
  const consumer: EventConsumer = kafka.consumer(uniqueName("relay_test"));
  const messages: IncomingMessage[] = [];
  // Right after creation the broker may not serve the topic's metadata yet.
  await waitFor(
    () =>
      consumer
        .run([topic], async (m) => {
          messages.push(m);
        })
        .then(() => true),
    { what: `subscription to ${topic}`, timeoutMs: 20_000, intervalMs: 500 },
  );
  return {
    messages,
    eventIds: () => messages.map((m) => m.headers["event-id"] ?? ""),
    waitForCount: (n, timeoutMs = 30_000) =>
      waitFor(() => messages.length >= n, {
        timeoutMs,
        what: `${n} messages on ${topic} (have ${messages.length})`,
      }).then(() => undefined),
    stop: () => consumer.stop(),
  };
}

export async function deleteTopics(topic: string): Promise<void> {
  const kafka = new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "relay-test" });
  await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
}

export { metricValue } from "@app/shared/testing";

/** What one relay test file owns: an order database, a topic, and the relays and readers it starts. */
export interface RelayTestFile {
  topic: string;
  db: TestDatabase;
  sql: Pool;
  /** The relays still running; each is closed after the file's tests. */
  relays: RunningRelay[];
  /** Starts a relay on this file's database and topic. */
  startRelay(overrides?: Record<string, string>, options?: RelayOptions): Promise<RunningRelay>;
  /** Reads this file's topic from now on; stopped after the tests, before the relays close. */
  readTopic(): Promise<TopicCollector>;
}

/** Sets up (beforeAll) and removes (afterAll) what one relay test file owns. */
export function relayTestFile(topicPrefix: string): RelayTestFile {
  const readers: TopicCollector[] = [];
  const file = {
    topic: uniqueName(topicPrefix),
    relays: [] as RunningRelay[],
    async startRelay(overrides: Record<string, string> = {}, options?: RelayOptions) {
      const relay = await startRelay(relayConfig(file.db.url, file.topic, overrides), options);
      file.relays.push(relay);
      return relay;
    },
    async readTopic() {
      const reader = await collectTopic(file.topic);
      readers.push(reader);
      return reader;
    },
  } as RelayTestFile;
  beforeAll(async () => {
    ({ db: file.db, sql: file.sql } = await anOrderDatabase());
  });
  afterAll(async () => {
    await Promise.all(readers.map((reader) => reader.stop()));
    await Promise.all(file.relays.map((relay) => relay.close()));
    await file.sql?.end();
    await file.db?.drop();
    await deleteTopics(file.topic);
  });
  return file;
}

/** Waits until the relay reports ready (it creates the topic on its first connection). */
export async function untilReady(relay: RunningRelay): Promise<void> {
  await waitFor(async () => (await fetch(`${relay.url}/health/ready`)).status === 200, {
    what: "relay ready",
    timeoutMs: 30_000,
  });
}
