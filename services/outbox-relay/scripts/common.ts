// Shared bits of the measurement scripts: an order database, outbox rows, the relay's settings.
import { createPool, KafkaClient, type Pool } from "@app/shared";
import { anOrderEvent, createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { ORDER_MIGRATIONS_DIR } from "../test/support";

// Outbox rows go in as the relay tests put them (one transaction, as the order service writes).
export { insertOutbox } from "../test/support";

export const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/test",
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
};
process.env.DATABASE_URL = env.DATABASE_URL;
process.env.KAFKA_BROKERS = env.KAFKA_BROKERS;
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";

export async function anOrderDatabase(prefix: string): Promise<{ db: TestDatabase; sql: Pool }> {
  const db = await createTestDatabase(ORDER_MIGRATIONS_DIR, prefix);
  return { db, sql: createPool(db.url, { connectionLimit: 4 }) };
}

/** An ORDER_CREATED envelope as the order service writes it. */
export const orderCreated = (userId?: string) => anOrderEvent({ userId });

export async function deleteTopics(topic: string): Promise<void> {
  await new KafkaClient({ brokers: env.KAFKA_BROKERS.split(","), clientId: "measure" })
    .deleteTopics([topic, `${topic}.dlq`])
    .catch(() => undefined);
}
