// The event pipeline's two workers at full speed, each against Kafka's own tool on the same broker:
// - relay: a 10,000-row READY backlog to PUBLISHED (services/outbox-relay/scripts/measure-throughput.ts);
// - notifier: 10,000 ORDER_CREATED envelopes already on a topic to notification rows.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { createLogger, createPool, KafkaClient } from "@app/shared";
import {
  anOrderEvent,
  createTestDatabase,
  startTestIssuer,
  uniqueName,
  waitFor,
} from "@app/shared/testing";
import { loadNotifierConfig, NOTIFIER_MIGRATIONS_DIR, startNotifier } from "@app/notifier";
import { consumerPerformance } from "./kafkaTools";
import { round } from "./stats";

const REPO = path.resolve(__dirname, "..");
const NOTIFICATION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

/** One relay run as its own process (its own order database and topic); parses its JSON line. */
export async function relayThroughput(
  rows: number,
  replicas: number,
  batchSize: number,
): Promise<{ eventsPerSecond: number; seconds: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      require.resolve("tsx/cli"),
      "scripts/measure-throughput.ts",
      String(rows),
      String(replicas),
      String(batchSize),
    ],
    {
      cwd: path.join(REPO, "services/outbox-relay"),
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  // The script publishes one warm-up batch per replica before its clock starts.
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as {
    warmup: number;
    published: number;
    eventsPerSecond: number;
    seconds: number;
  };
  if (result.warmup + result.published !== rows) {
    throw new Error(`relay published ${result.warmup} + ${result.published} of ${rows}`);
  }
  return result;
}

/** An ORDER_CREATED envelope as the order service writes it. */
export const sampleEnvelope = () => anOrderEvent();

/** Fills a fresh topic with `count` envelopes keyed by order id; returns the topic. */
export async function fillTopic(
  kafka: KafkaClient,
  count: number,
  partitions: number,
): Promise<string> {
  const topic = uniqueName("bench_notifier");
  await kafka.ensureTopics([{ topic, partitions }]);
  const producer = await kafka.producer();
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, () => sampleEnvelope());
    await producer.send(
      topic,
      batch.map((e) => ({
        key: e.aggregateId,
        value: JSON.stringify(e),
        headers: { "event-id": e.eventId, "event-type": e.eventType },
      })),
    );
  }
  await producer.disconnect();
  return topic;
}

/** The notifier (in process, default settings) consuming a full topic: rows per second. */
export async function notifierThroughput(brokers: string[], topic: string, count: number) {
  const db = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "bench_notifier");
  const sql = createPool(db.url, { connectionLimit: 1 });
  const issuer = await startTestIssuer();
  const started = performance.now();
  const notifier = await startNotifier(
    loadNotifierConfig({
      PORT: "0",
      LOG_LEVEL: "error",
      DATABASE_URL: db.url,
      MIGRATE_ON_START: "false",
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_GROUP_ID: uniqueName("bench_notifier"),
      ORDER_EVENTS_TOPIC: topic,
      ...issuer.verifierEnv,
    }),
    { logger: createLogger({ service: "notifier", silent: true }) },
  );
  try {
    const count_ = async () =>
      Number(
        ((await sql.query("SELECT COUNT(*) AS n FROM notifications")) as { n: number }[])[0]!.n,
      );
    await waitFor(async () => (await count_()) >= count, {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: `${count} notifications`,
    });
    const total = (performance.now() - started) / 1000;
    // Steady state: first row to last row, without the group join (as fetch.nMsg.sec does).
    const [span] = (await sql.query(
      "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(created_at), MAX(created_at)) / 1e6 AS s FROM notifications",
    )) as { s: number }[];
    return {
      perSecond: round(count / total, 0),
      steadyPerSecond: round((count - 1) / Number(span!.s), 0),
      seconds: round(total, 2),
    };
  } finally {
    await notifier.close();
    await issuer.close();
    await sql.end();
    await db.drop();
  }
}

/**
 * The limit for the notifier's writes: the same notification rows (message, order snapshot)
 * inserted from one process over one connection, `batch` rows per multi-row INSERT and
 * transaction, skipping existing event ids as the notifier does. No Kafka, no parsing.
 */
export async function rawNotifierLimit(count: number, batch = 500) {
  const db = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "bench_notifier_raw");
  const sql = createPool(db.url, { connectionLimit: 1 });
  try {
    const rows = Array.from({ length: count }, () => {
      const e = sampleEnvelope();
      const now = new Date();
      return [
        randomUUID(),
        e.eventId,
        String(e.payload.userId),
        e.aggregateId,
        e.eventType,
        "Your order was placed: 1 item, EUR 19.99.",
        now,
        JSON.stringify(e.payload),
        new Date(e.occurredAt),
      ];
    });
    const started = performance.now();
    for (let i = 0; i < count; i += batch) {
      const chunk = rows.slice(i, i + batch);
      const c = await sql.getConnection();
      try {
        await c.beginTransaction();
        await c.query(
          `INSERT INTO notifications (id, event_id, user_id, order_id, type, message, created_at, payload, occurred_at) VALUES ${NOTIFICATION_ROW}${`, ${NOTIFICATION_ROW}`.repeat(chunk.length - 1)} ON DUPLICATE KEY UPDATE event_id = event_id`,
          chunk.flat(),
        );
        await c.commit();
      } finally {
        await c.release();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: round(count / seconds, 0), seconds: round(seconds, 2) };
  } finally {
    await sql.end();
    await db.drop();
  }
}

/**
 * The notifier stage: its events/s over `count` messages of a fresh topic, what
 * kafka-consumer-perf-test reads of the same topic, and the raw insert limit; the topic is
 * deleted after.
 */
export async function notifierFigures(kafka: KafkaClient, brokers: string[], count: number) {
  const topic = await fillTopic(kafka, count, 3);
  try {
    const notifier = await notifierThroughput(brokers, topic, count);
    const tool = await consumerPerformance(
      brokers.join(","),
      topic,
      count,
      uniqueName("bench_consumer_perf"),
    );
    const raw = await rawNotifierLimit(count);
    return { notifier, tool, raw };
  } finally {
    await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
  }
}
