import { KafkaClient, type EventConsumer, type IncomingMessage } from "@app/shared";
import { testServers, uniqueName, waitFor } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import {
  anOrderEvent,
  getNotifications,
  mailsOf,
  metricValue,
  notificationCount,
  publish,
  publishRaw,
  publishTogether,
  settled,
  startTestNotifier,
  type TestNotifier,
} from "./support";

let t: TestNotifier;
/** Writes still to fail after the insert; as many as EVENT_MAX_ATTEMPTS hands the message back to Kafka uncommitted. */
let failingWrites = 0;

beforeAll(async () => {
  t = await startTestNotifier(
    { EVENT_MAX_ATTEMPTS: "2" },
    {
      hooks: {
        afterWrite: () => {
          if (failingWrites === 0) return;
          failingWrites--;
          throw new Error("crash after the write, before the offset commit");
        },
      },
    },
  );
});

afterAll(async () => {
  await t.close();
});

const stored = (eventId: string) =>
  waitFor(async () => (await notificationCount(t, eventId)) > 0, {
    what: `notification for ${eventId}`,
    timeoutMs: 30_000,
  });

describe("order events become notifications", () => {
  it("stores one notification for ORDER_CREATED, sends it once, and shows it to the order's owner", async () => {
    const userId = randomUUID();
    const event = anOrderEvent({ userId });
    await publish(t, event);
    await stored(event.eventId);

    const page = await getNotifications(t, t.issuer.tokenFor({ userId }));
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([
      {
        id: expect.any(String),
        eventId: event.eventId,
        type: "ORDER_CREATED",
        orderId: event.aggregateId,
        message: `Your order ${event.aggregateId.slice(0, 8)} was placed (total 19.99 EUR).`,
        createdAt: expect.any(String),
      },
    ]);
    await settled(t, event.eventId);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
  });

  it("keeps one notification when the same Kafka payload is produced twice, and counts the duplicate", async () => {
    const event = anOrderEvent();
    const duplicatesBefore = await metricValue(t.url, "notifier_duplicate_events_total");
    await publish(t, event);
    await publish(t, event);
    // A marker behind both copies on the same partition: once it is stored, both copies were handled.
    const marker = anOrderEvent({ orderId: event.aggregateId, eventType: "ORDER_COMPLETED" });
    await publish(t, marker);
    await stored(marker.eventId);

    expect(await notificationCount(t, event.eventId)).toBe(1);
    await settled(t, event.eventId);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
    expect(await metricValue(t.url, "notifier_duplicate_events_total")).toBe(duplicatesBefore + 1);
  });

  it("keeps one notification and sends it once when both copies of an event come in one batch", async () => {
    const event = anOrderEvent();
    const duplicatesBefore = await metricValue(t.url, "notifier_duplicate_events_total");
    await publishTogether(t, [event, event]);
    await stored(event.eventId);

    expect(await notificationCount(t, event.eventId)).toBe(1);
    const deliveries = await settled(t, event.eventId);
    expect(deliveries.map((d) => [d.channel, d.status])).toEqual([["EMAIL", "SENT"]]);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
    expect(await metricValue(t.url, "notifier_duplicate_events_total")).toBe(duplicatesBefore + 1);
  });

  it("stores and sends every event of a batch larger than one insert statement (100 rows), once each", async () => {
    const orderId = randomUUID();
    // One order: one partition, so they come in few fetches, each written 100 rows a statement.
    const events = Array.from({ length: 250 }, () => anOrderEvent({ orderId }));
    await publishTogether(t, events);
    await waitFor(
      async () => {
        const rows: { n: number }[] = await t.sql.query(
          "SELECT COUNT(*) AS n FROM notifications WHERE order_id = ?",
          [orderId],
        );
        return Number(rows[0]!.n) === events.length;
      },
      { what: "250 notifications", timeoutMs: 30_000 },
    );
    await waitFor(() => events.every((e) => mailsOf(t, e.eventId).length > 0), {
      what: "250 emails",
      timeoutMs: 30_000,
    });
    for (const event of events) expect(mailsOf(t, event.eventId)).toHaveLength(1);
  });

  it("notifies about cancelled and completed orders too", async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    const cancelled = anOrderEvent({ userId, orderId, eventType: "ORDER_CANCELLED" });
    const completed = anOrderEvent({ userId, eventType: "ORDER_COMPLETED" });
    await publish(t, cancelled);
    await publish(t, completed);
    await stored(cancelled.eventId);
    await stored(completed.eventId);
    const page = await getNotifications(t, t.issuer.tokenFor({ userId }));
    expect(page.body.items.map((n) => n.type).sort()).toEqual([
      "ORDER_CANCELLED",
      "ORDER_COMPLETED",
    ]);
    expect(page.body.items.find((n) => n.type === "ORDER_CANCELLED")?.message).toBe(
      `Your order ${orderId.slice(0, 8)} was cancelled.`,
    );
  });

  it('skips and counts event types it does not know under one "unknown" label, and goes on', async () => {
    const orderId = randomUUID();
    // Message content must not mint metric series: every unknown type shares one label.
    const unknown = ["ORDER_SHIPPED", `X_${randomUUID().replace(/-/g, "_").toUpperCase()}`].map(
      (eventType) => ({ ...anOrderEvent({ orderId }), eventType }),
    );
    const marker = anOrderEvent({ orderId });
    const skippedBefore = await metricValue(t.url, "notifier_events_total", {
      outcome: "skipped",
      event_type: "unknown",
    });
    for (const event of unknown) await publish(t, event);
    await publish(t, marker);
    await stored(marker.eventId);
    for (const event of unknown) expect(await notificationCount(t, event.eventId)).toBe(0);
    expect(
      await metricValue(t.url, "notifier_events_total", {
        outcome: "skipped",
        event_type: "unknown",
      }),
    ).toBe(skippedBefore + 2);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).not.toMatch(/event_type="(ORDER_SHIPPED|X_)/);
  });

  it("stores the event once when the notifier fails after the write and before the offset commit, and Kafka redelivers it", async () => {
    const event = anOrderEvent();
    const duplicatesBefore = await metricValue(t.url, "notifier_duplicate_events_total");
    failingWrites = 2;
    await publish(t, event);
    await stored(event.eventId);
    // The marker comes after the redelivered message on the same partition.
    const marker = anOrderEvent({ orderId: event.aggregateId, eventType: "ORDER_COMPLETED" });
    await publish(t, marker);
    await stored(marker.eventId);

    expect(failingWrites).toBe(0);
    // Every delivery after the first found the row: one notification, sent once.
    expect(await metricValue(t.url, "notifier_duplicate_events_total")).toBeGreaterThan(
      duplicatesBefore,
    );
    expect(await notificationCount(t, event.eventId)).toBe(1);
    await settled(t, event.eventId);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
  });

  it("never skips a message while the database fails: it is retried and stored once the table is back", async () => {
    await t.sql.query("RENAME TABLE notifications TO notifications_away");
    const event = anOrderEvent();
    try {
      await publish(t, event);
      await waitFor(
        async () => (await metricValue(t.url, "notifier_events_total", { outcome: "retried" })) > 0,
        { what: "a retried attempt", timeoutMs: 30_000 },
      );
    } finally {
      await t.sql.query("RENAME TABLE notifications_away TO notifications");
    }
    await stored(event.eventId);
    expect(await notificationCount(t, event.eventId)).toBe(1);
  });
});

describe("poison messages", () => {
  let dlq: EventConsumer;
  const dead: IncomingMessage[] = [];

  beforeAll(async () => {
    const kafka = new KafkaClient({
      brokers: testServers().kafkaBrokers,
      clientId: "notifier-test",
    });
    dlq = kafka.consumer(uniqueName("dlq_reader"));
    await dlq.run([`${t.topic}.dlq`], async (m) => void dead.push(m));
  });

  afterAll(async () => {
    await dlq.stop();
  });

  it("sends bad JSON to the DLQ with the error and its origin in headers, and processes the next good message", async () => {
    const orderId = randomUUID();
    await publishRaw(t, orderId, "{not json");
    const next = anOrderEvent({ orderId });
    await publish(t, next);
    await stored(next.eventId);

    const letter = await waitFor(() => dead.find((m) => m.key === orderId), {
      what: "dead letter",
      timeoutMs: 30_000,
    });
    expect(letter.value?.toString()).toBe("{not json");
    expect(letter.headers).toMatchObject({
      "dlq-error": "message value is not valid JSON",
      "dlq-original-topic": t.topic,
      "dlq-consumer-group": t.groupId,
    });
    expect(Number(letter.headers["dlq-original-partition"])).toBeGreaterThanOrEqual(0);
    expect(letter.headers["dlq-original-offset"]).toMatch(/^\d+$/);
    expect(
      await metricValue(t.url, "kafka_consumer_dead_lettered_total", {
        group: t.groupId,
        topic: t.topic,
      }),
    ).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `^kafka_consumer_lag_messages\\{group="${t.groupId}",topic="${t.topic}",partition="\\d+"\\} \\d+$`,
        "m",
      ),
    );
  });

  it("dead-letters an order event whose payload has no user, after its retries", async () => {
    const orderId = randomUUID();
    const broken = anOrderEvent({ orderId, payload: { id: orderId } });
    await publish(t, broken);
    const letter = await waitFor(() => dead.find((m) => m.key === orderId), {
      what: "dead letter",
      timeoutMs: 30_000,
    });
    expect(letter.headers["dlq-error"]).toMatch(/payload\.userId/);
    expect(letter.headers["dlq-attempts"]).toBe("2");
    expect(await notificationCount(t, broken.eventId)).toBe(0);
  });
});
