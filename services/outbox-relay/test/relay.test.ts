import { ConfigError } from "@app/shared";
import { waitFor } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import { loadRelayConfig, startRelay, type RunningRelay } from "../src/main";
import {
  anOrderDatabase,
  anOrderEvent,
  countByStatus,
  insertOutbox,
  metricValue,
  outboxRows,
  relayConfig,
  relayTestFile,
  type TopicCollector,
  untilReady,
} from "./support";

const file = relayTestFile("relay_events");
let relay: RunningRelay;
let topicReader: TopicCollector;

beforeAll(async () => {
  relay = await file.startRelay({ ORDER_EVENTS_PARTITIONS: "2", RELAY_MAX_ATTEMPTS: "3" });
  // The relay creates the topic on its first connection; read it only once it exists.
  await untilReady(relay);
  topicReader = await file.readTopic();
});

const messageOf = (eventId: string) =>
  waitFor(() => topicReader.messages.find((m) => m.headers["event-id"] === eventId), {
    what: `event ${eventId}`,
    timeoutMs: 30_000,
  });

describe("outbox relay", () => {
  it("publishes a ready row keyed by order id with the rebuilt envelope and the contract headers, then marks it PUBLISHED", async () => {
    const event = anOrderEvent();
    const requestId = randomUUID();
    await insertOutbox(file.sql, [event], { requestId });

    const message = await messageOf(event.eventId);
    expect(message.key).toBe(event.aggregateId);
    expect(JSON.parse(message.value!.toString())).toEqual(event);
    expect(message.headers).toMatchObject({
      "event-id": event.eventId,
      "event-type": "ORDER_CREATED",
      "x-request-id": requestId,
    });
    const row = await waitFor(
      async () =>
        (await outboxRows(file.sql)).find(
          (r) => r.event_id === event.eventId && r.status === "PUBLISHED",
        ),
      { what: "PUBLISHED" },
    );
    expect(row.published_at).toBeInstanceOf(Date);
    expect(row.attempts).toBe(0);
  });

  it("creates the topic with the configured partitions, so keys spread over exactly those", async () => {
    const events = Array.from({ length: 60 }, () => anOrderEvent());
    await insertOutbox(file.sql, events);
    await Promise.all(events.map((e) => messageOf(e.eventId)));
    const partitions = new Set(topicReader.messages.map((m) => m.partition));
    expect([...partitions].sort()).toEqual([0, 1]);
  });

  it("leaves a row alone until its available_at has come", async () => {
    const later = anOrderEvent();
    await insertOutbox(file.sql, [later], { availableAt: new Date(Date.now() + 60 * 60 * 1000) });
    const marker = anOrderEvent();
    await insertOutbox(file.sql, [marker]);
    await messageOf(marker.eventId);
    await relay.runOnce();
    expect(topicReader.eventIds()).not.toContain(later.eventId);
    expect((await outboxRows(file.sql)).find((r) => r.event_id === later.eventId)?.status).toBe(
      "READY",
    );
  });

  it("holds back a later event of an order while an earlier one of the same order is still waiting", async () => {
    const orderId = randomUUID();
    const first = anOrderEvent({ orderId });
    const second = anOrderEvent({ orderId, eventType: "ORDER_CANCELLED" });
    // The first is backing off (as after a failed send); the second is due now.
    await insertOutbox(file.sql, [first], { availableAt: new Date(Date.now() + 60 * 60 * 1000) });
    await insertOutbox(file.sql, [second]);
    // A pass that published a marker inserted after both has seen the due second one.
    const marker = anOrderEvent();
    await insertOutbox(file.sql, [marker]);
    await messageOf(marker.eventId);
    await relay.runOnce();
    expect(topicReader.messages.filter((m) => m.key === orderId)).toHaveLength(0);
    expect((await outboxRows(file.sql)).find((r) => r.event_id === second.eventId)?.status).toBe(
      "READY",
    );

    // The first's back-off ends: both go out, in order.
    await file.sql.query("UPDATE outbox_events SET available_at = ? WHERE event_id = ?", [
      new Date(Date.now() - 1000),
      first.eventId,
    ]);
    await messageOf(first.eventId);
    await messageOf(second.eventId);
    const order = topicReader.messages
      .filter((m) => m.key === orderId)
      .map((m) => m.headers["event-id"]);
    expect(order).toEqual([first.eventId, second.eventId]);
  });

  it("holds back later events of an order behind a FAILED one until an operator requeues it, then publishes them in order", async () => {
    const orderId = randomUUID();
    const parked = anOrderEvent({ orderId });
    const later = [
      anOrderEvent({ orderId, eventType: "ORDER_CANCELLED" }),
      anOrderEvent({ orderId, eventType: "ORDER_COMPLETED" }),
    ];
    await insertOutbox(file.sql, [parked], { status: "FAILED" });
    await insertOutbox(file.sql, later);
    const marker = anOrderEvent();
    await insertOutbox(file.sql, [marker]);

    await messageOf(marker.eventId);
    await relay.runOnce();
    expect(topicReader.messages.filter((m) => m.key === orderId)).toHaveLength(0);
    expect(
      (await outboxRows(file.sql))
        .filter((r) => later.some((e) => e.eventId === r.event_id))
        .map((r) => [r.status, r.attempts]),
    ).toEqual([
      ["READY", 0],
      ["READY", 0],
    ]);
    expect(await metricValue(relay.url, "outbox_orders_blocked_by_failed")).toBe(1);

    await file.sql.query(
      "UPDATE outbox_events SET status = 'READY', attempts = 0 WHERE event_id = ?",
      [parked.eventId],
    );
    await Promise.all(later.map((e) => messageOf(e.eventId)));
    const order = topicReader.messages
      .filter((m) => m.key === orderId)
      .map((m) => m.headers["event-id"]);
    expect(order).toEqual([parked.eventId, ...later.map((e) => e.eventId)]);
    expect(await metricValue(relay.url, "outbox_orders_blocked_by_failed")).toBe(0);
  });

  it("parks a row the broker refuses as FAILED after the maximum attempts, with the error, and still publishes its batch-mates", async () => {
    const tooLarge = anOrderEvent({ extra: { note: "x".repeat(1_100_000) } });
    const fine = anOrderEvent();
    const failedBefore = await metricValue(relay.url, "outbox_failed_total");
    await insertOutbox(file.sql, [tooLarge, fine]);

    await messageOf(fine.eventId);
    const row = await waitFor(
      async () =>
        (await outboxRows(file.sql)).find(
          (r) => r.event_id === tooLarge.eventId && r.status === "FAILED",
        ),
      {
        what: "FAILED row",
        timeoutMs: 30_000,
      },
    );
    expect(row.attempts).toBe(3);
    expect(row.last_error).toMatch(/larger than the max message size/);
    // The refusal was the message's fault: the publisher stays ready for everything else.
    expect((await fetch(`${relay.url}/health/ready`)).status).toBe(200);
    expect(topicReader.eventIds()).not.toContain(tooLarge.eventId);
    expect(await metricValue(relay.url, "outbox_failed_total")).toBe(
      (Number.isNaN(failedBefore) ? 0 : failedBefore) + 1,
    );
  });

  it("reports backlog, oldest age, published totals and publish duration on /metrics", async () => {
    const response = await fetch(`${relay.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of [
      "outbox_ready_backlog",
      "outbox_oldest_ready_age_seconds",
      "outbox_orders_blocked_by_failed",
      "outbox_published_total",
      "outbox_publish_deferred_total",
      "outbox_failed_total",
      "outbox_publish_duration_seconds_count",
    ]) {
      expect(text).toContain(name);
    }
    expect(await metricValue(relay.url, "outbox_published_total")).toBeGreaterThan(0);
  });

  it("answers the liveness and readiness probes", async () => {
    expect((await fetch(`${relay.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${relay.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({
      database: { status: "ok" },
      kafka: { status: "ok" },
    });
  });
});

describe("retention", () => {
  it("deletes PUBLISHED rows older than the retention in chunks and keeps newer and unpublished ones", async () => {
    const { db: own, sql: ownSql } = await anOrderDatabase();
    const purger = await startRelay(
      relayConfig(own.url, file.topic, { RELAY_RETENTION_HOURS: "24", RELAY_RETENTION_CHUNK: "4" }),
      { loops: false },
    );
    try {
      const old = new Date(Date.now() - 48 * 3600 * 1000);
      const recent = new Date(Date.now() - 3600 * 1000);
      await insertOutbox(
        ownSql,
        Array.from({ length: 10 }, () => anOrderEvent()),
        { status: "PUBLISHED", publishedAt: old },
      );
      await insertOutbox(
        ownSql,
        Array.from({ length: 2 }, () => anOrderEvent()),
        { status: "PUBLISHED", publishedAt: recent },
      );
      await insertOutbox(ownSql, [anOrderEvent()], { status: "FAILED" });
      await insertOutbox(ownSql, [anOrderEvent()], {
        availableAt: new Date(Date.now() + 3600 * 1000),
      });

      expect(await purger.purgeOnce()).toBe(10);
      expect(await countByStatus(ownSql, "PUBLISHED")).toBe(2);
      expect(await countByStatus(ownSql, "FAILED")).toBe(1);
      expect(await countByStatus(ownSql, "READY")).toBe(1);
      expect(await metricValue(purger.url, "outbox_purged_total")).toBe(10);
    } finally {
      await purger.close();
      await ownSql.end();
      await own.drop();
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes the batch in hand: rows sent when close() is called still end PUBLISHED", async () => {
    const { db: own, sql: ownSql } = await anOrderDatabase();
    let inHook: () => void = () => undefined;
    const reachedHook = new Promise<void>((resolve) => (inHook = resolve));
    const stopping = await startRelay(relayConfig(own.url, file.topic), {
      hooks: {
        afterPublish: async () => {
          inHook();
          await new Promise((resolve) => setTimeout(resolve, 300));
        },
      },
    });
    try {
      const events = Array.from({ length: 5 }, () => anOrderEvent());
      await insertOutbox(ownSql, events);
      await reachedHook;
      await stopping.close();
      expect(await countByStatus(ownSql, "PUBLISHED")).toBe(5);
    } finally {
      await stopping.close();
      await ownSql.end();
      await own.drop();
    }
  });
});

describe("configuration", () => {
  it("refuses a batch size of zero and a non-numeric poll interval, naming both variables", () => {
    expect(() =>
      loadRelayConfig({ RELAY_BATCH_SIZE: "0", RELAY_POLL_INTERVAL_MS: "soon" }),
    ).toThrow(ConfigError);
    try {
      loadRelayConfig({ RELAY_BATCH_SIZE: "0", RELAY_POLL_INTERVAL_MS: "soon" });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
        "RELAY_BATCH_SIZE",
        "RELAY_POLL_INTERVAL_MS",
      ]);
    }
  });

  it("defaults to the contract's topic, a poll interval of at most 200 ms and the health port 3005", () => {
    const config = loadRelayConfig({});
    expect(config.ORDER_EVENTS_TOPIC).toBe("order-events");
    expect(config.RELAY_POLL_INTERVAL_MS).toBeLessThanOrEqual(200);
    expect(config.PORT).toBe(3005);
  });
});
