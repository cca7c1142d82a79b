// Shared bits of the measurement scripts: an order database, outbox rows, the relay's settings.
import { createPool, KafkaClient, type Pool } from "@app/shared";
import { anOrderEvent, createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import path from "node:path";

export const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/test",
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
};
process.env.DATABASE_URL = env.DATABASE_URL;
process.env.KAFKA_BROKERS = env.KAFKA_BROKERS;
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";

export async function anOrderDatabase(prefix: string): Promise<{ db: TestDatabase; sql: Pool }> {
  const db = await createTestDatabase(path.join(__dirname, "../../order/migrations"), prefix);
  return { db, sql: createPool(db.url, { connectionLimit: 4 }) };
}

/** An ORDER_CREATED envelope as the order service writes it. */
export const orderCreated = (userId?: string) => anOrderEvent({ userId });

export async function insertOutbox(
  sql: Pool,
  events: ReturnType<typeof orderCreated>[],
): Promise<void> {
  await sql.batch(
    `INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, request_id, status, available_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'READY', ?, ?)`,
    events.map((e) => [
      e.eventId,
      e.aggregateType,
      e.aggregateId,
      e.eventType,
      JSON.stringify(e.payload),
      randomUUID(),
      new Date(e.occurredAt),
      new Date(e.occurredAt),
    ]),
  );
}

export async function deleteTopics(topic: string): Promise<void> {
  await new KafkaClient({ brokers: env.KAFKA_BROKERS.split(","), clientId: "measure" })
    .deleteTopics([topic, `${topic}.dlq`])
    .catch(() => undefined);
}
