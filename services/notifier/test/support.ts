import { createPool, eventHeaders, KafkaClient, type EventProducer, type Pool } from "@app/shared";
import {
  createTestDatabase,
  startTestIssuer,
  testServers,
  uniqueName,
  type TestDatabase,
  type TestIssuer,
} from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import {
  loadNotifierConfig,
  NOTIFIER_MIGRATIONS_DIR,
  startNotifier,
  type NotifierOptions,
  type RunningNotifier,
} from "../src/main";

export interface TestNotifier {
  notifier: RunningNotifier;
  url: string;
  db: TestDatabase;
  sql: Pool;
  issuer: TestIssuer;
  topic: string;
  groupId: string;
  producer: EventProducer;
  kafka: KafkaClient;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A notifier on its own database, topic and consumer group, started in-process on a random port. */
export async function startTestNotifier(
  overrides: Record<string, string> = {},
  options: NotifierOptions = {},
): Promise<TestNotifier> {
  const db = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "notifier");
  const issuer = await startTestIssuer();
  const topic = uniqueName("notifier_events");
  const groupId = uniqueName("notifier");
  const env = {
    PORT: "0",
    LOG_LEVEL: "error",
    DATABASE_URL: db.url,
    MIGRATE_ON_START: "false",
    KAFKA_BROKERS: testServers().kafkaBrokers.join(","),
    ORDER_EVENTS_TOPIC: topic,
    KAFKA_GROUP_ID: groupId,
    EVENT_BACKOFF_BASE_MS: "10",
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    ...overrides,
  };
  const notifier = await startNotifier(loadNotifierConfig(env), options);
  const kafka = new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "notifier-test" });
  const producer = await kafka.producer();
  const sql = createPool(db.url, { connectionLimit: 2 });
  return {
    notifier,
    url: notifier.url,
    db,
    sql,
    issuer,
    topic,
    groupId,
    producer,
    kafka,
    env,
    async close() {
      await producer.disconnect();
      await notifier.close();
      await issuer.close();
      await sql.end();
      await db.drop();
      await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
    },
  };
}

/** An order event as the outbox relay publishes it: the order snapshot plus reservationId. */
import { anOrderEvent } from "@app/shared/testing";
export { anOrderEvent };

export type OrderEvent = ReturnType<typeof anOrderEvent>;

export async function publish(
  t: TestNotifier,
  event: { eventId: string; eventType: string; aggregateId: string } & Record<string, unknown>,
): Promise<void> {
  await t.producer.send(t.topic, [
    {
      key: event.aggregateId,
      value: JSON.stringify(event),
      headers: eventHeaders(event as OrderEvent, randomUUID()),
    },
  ]);
}

export async function publishRaw(t: TestNotifier, key: string, value: string): Promise<void> {
  await t.producer.send(t.topic, [{ key, value }]);
}

export async function notificationCount(t: TestNotifier, eventId: string): Promise<number> {
  const rows: { n: number }[] = await t.sql.query(
    "SELECT COUNT(*) AS n FROM notifications WHERE event_id = ?",
    [eventId],
  );
  return Number(rows[0]!.n);
}

export interface NotificationView {
  id: string;
  eventId: string;
  type: string;
  orderId: string;
  message: string;
  createdAt: string;
}

/** A page, or a problem document (code, status, errors) when the status says so. */
export interface ListAnswer {
  status: number;
  body: { items: NotificationView[]; nextCursor: string | null } & {
    code?: string;
    errors?: { path: string }[];
  };
}

export async function getNotifications(
  t: TestNotifier,
  token: string | undefined,
  query = "",
): Promise<ListAnswer> {
  const response = await fetch(`${t.url}/api/v1/notifications${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as ListAnswer["body"] };
}

export { metricValue } from "@app/shared/testing";
