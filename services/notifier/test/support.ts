import { createPool, eventHeaders, KafkaClient, type EventProducer, type Pool } from "@app/shared";
import {
  createTestDatabase,
  startMailSink,
  startTestIssuer,
  type MailSink,
  type ReceivedMail,
  testServers,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestIssuer,
} from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
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
  /** The SMTP server the notifier sends to. */
  mail: MailSink;
  /** Auth's user lookup as the notifier calls it. */
  users: TestUserDirectory;
  close(): Promise<void>;
}

export const MESSAGE_ID_DOMAIN = "notifier.test";
const DIRECTORY_TOKEN = "notifier-test-token";

export interface TestUserDirectory {
  url: string;
  /** Users the directory leaves out of its answers (gone). */
  gone: Set<string>;
  /** The ids asked for, one list per lookup call, in the order the calls came. */
  calls: string[][];
  /** Holds every answer from now on until the returned function is called. */
  hold(): () => void;
  /** The next `count` lookups get this answer instead (a proxy's error page, say). */
  failNext(count: number, status: number, body: string): void;
  close(): Promise<void>;
}

/** Every user's address in the test directory. */
export const emailOf = (userId: string) => `${userId}@customers.test`;

/**
 * Answers POST /internal/v1/users/lookup as auth does (its own test covers the real route): each
 * asked-for user with an address made from the id, except ids in `gone`; 401 without the service
 * token.
 */
export async function startTestUserDirectory(): Promise<TestUserDirectory> {
  const gone = new Set<string>();
  const calls: string[][] = [];
  let held: Promise<void> = Promise.resolve();
  let failures: { count: number; status: number; body: string } = { count: 0, status: 0, body: "" };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    res.setHeader("content-type", "application/json");
    if (req.headers.authorization !== `Bearer ${DIRECTORY_TOKEN}`) {
      res.statusCode = 401;
      return res.end(JSON.stringify({ status: 401, code: "UNAUTHENTICATED" }));
    }
    if (req.method !== "POST" || req.url !== "/internal/v1/users/lookup") {
      res.statusCode = 404;
      return res.end(JSON.stringify({ status: 404, code: "NOT_FOUND" }));
    }
    const { ids } = JSON.parse(Buffer.concat(chunks).toString()) as { ids: string[] };
    calls.push(ids);
    await held;
    if (failures.count > 0) {
      failures.count--;
      res.statusCode = failures.status;
      res.setHeader("content-type", "text/html");
      return res.end(failures.body);
    }
    const users = ids
      .filter((id) => !gone.has(id))
      // Auth stores ids in lower case and matches them case-insensitively.
      .map((id) => id.toLowerCase())
      .map((id) => ({ id, email: emailOf(id), name: null, role: "CUSTOMER" }));
    res.end(JSON.stringify({ users }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gone,
    calls,
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
    failNext(count, status, body) {
      failures = { count, status, body };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A notifier on its own database, topic and consumer group, started in-process on a random port. */
export async function startTestNotifier(
  overrides: Record<string, string> = {},
  options: NotifierOptions = {},
  /** The notifier's own way to its database (a proxy in front of it, say); the test's is direct. */
  notifierDatabaseUrl: (url: string) => string = (url) => url,
): Promise<TestNotifier> {
  const db = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "notifier");
  const issuer = await startTestIssuer();
  const mail = await startMailSink();
  const users = await startTestUserDirectory();
  const topic = uniqueName("notifier_events");
  const groupId = uniqueName("notifier");
  const env = {
    PORT: "0",
    LOG_LEVEL: "error",
    DATABASE_URL: notifierDatabaseUrl(db.url),
    MIGRATE_ON_START: "false",
    KAFKA_BROKERS: testServers().kafkaBrokers.join(","),
    ORDER_EVENTS_TOPIC: topic,
    KAFKA_GROUP_ID: groupId,
    EVENT_BACKOFF_BASE_MS: "10",
    ...issuer.verifierEnv,
    SMTP_HOST: mail.host,
    SMTP_PORT: String(mail.port),
    SMTP_TIMEOUT_MS: "5000",
    EMAIL_MESSAGE_ID_DOMAIN: MESSAGE_ID_DOMAIN,
    AUTH_URL: users.url,
    AUTH_TOKEN: DIRECTORY_TOKEN,
    DELIVERY_POLL_INTERVAL_MS: "50",
    DELIVERY_BACKOFF_BASE_MS: "50",
    DELIVERY_BACKOFF_MAX_MS: "200",
    WEBHOOK_TIMEOUT_MS: "5000",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
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
    mail,
    users,
    async close() {
      await producer.disconnect();
      await notifier.close();
      await issuer.close();
      await sql.end();
      await db.drop();
      await mail.close();
      await users.close();
      await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
    },
  };
}

/** An order event as the outbox relay publishes it: the order snapshot plus reservationId. */
import { anOrderEvent } from "@app/shared/testing";
export { anOrderEvent };

export type OrderEvent = ReturnType<typeof anOrderEvent>;

type PublishedEvent = { eventId: string; eventType: string; aggregateId: string } & Record<
  string,
  unknown
>;

export async function publish(t: TestNotifier, event: PublishedEvent): Promise<void> {
  await publishTogether(t, [event]);
}

/** Several events in one produce request: the consumer fetches them as one batch. */
export async function publishTogether(t: TestNotifier, events: PublishedEvent[]): Promise<void> {
  await t.producer.send(
    t.topic,
    events.map((event) => ({
      key: event.aggregateId,
      value: JSON.stringify(event),
      headers: eventHeaders(event as OrderEvent, randomUUID()),
    })),
  );
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

/** The emails of one event (their Message-ID is derived from the event id). */
export const mailsOf = (t: TestNotifier, eventId: string): ReceivedMail[] =>
  t.mail.messages.filter((m) => m.messageId === `<${eventId}@${MESSAGE_ID_DOMAIN}>`);

export interface DeliveryRow {
  channel: string;
  target: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

export async function deliveriesOf(t: TestNotifier, eventId: string): Promise<DeliveryRow[]> {
  return t.sql.query(
    `SELECT d.channel, d.target, d.status, d.attempts, d.last_error
       FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
      WHERE n.event_id = ? ORDER BY d.channel, d.target`,
    [eventId],
  );
}

/** Waits until the event's notification exists and none of its deliveries is PENDING any more. */
export async function settled(t: TestNotifier, eventId: string): Promise<DeliveryRow[]> {
  return waitFor(
    async () => {
      if ((await notificationCount(t, eventId)) === 0) return undefined;
      const rows = await deliveriesOf(t, eventId);
      return rows.every((r) => r.status !== "PENDING") && rows;
    },
    { what: `deliveries of ${eventId} settled`, timeoutMs: 30_000 },
  );
}
