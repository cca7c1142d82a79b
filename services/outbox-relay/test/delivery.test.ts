import { freePort, waitFor } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import {
  anOrderEvent,
  collectTopic,
  countByStatus,
  insertOutbox,
  metricValue,
  type OrderEvent,
  outboxRows,
  relayTestFile,
  type TopicCollector,
} from "./support";

const file = relayTestFile("relay_delivery");
const aRelay = (overrides: Record<string, string> = {}) => file.startRelay(overrides);

/** `waves` events per order (the first ORDER_CREATED), written one wave at a time. */
async function writeWaves(orders: string[], waves: number): Promise<OrderEvent[]> {
  const written: OrderEvent[] = [];
  for (let seq = 0; seq < waves; seq++) {
    const wave = orders.map((orderId) =>
      anOrderEvent({
        orderId,
        eventType: seq === 0 ? "ORDER_CREATED" : "ORDER_COMPLETED",
        extra: { seq },
      }),
    );
    await insertOutbox(file.sql, wave);
    written.push(...wave);
  }
  return written;
}

/** The wave number of each of an order's events, in the order they are on the topic. */
const seqsOf = (reader: TopicCollector, orderId: string) =>
  reader.messages
    .filter((m) => m.key === orderId)
    .map((m) => (JSON.parse(m.value!.toString()) as { payload: { seq: number } }).payload.seq);

describe("delivery guarantees", () => {
  it("publishes each of 1,000 events exactly once with two replicas, keeping every order's events in order", async () => {
    const reader = await collectTopic(file.topic, { create: true });
    try {
      const [a, b] = await Promise.all([
        aRelay({ RELAY_BATCH_SIZE: "7" }),
        aRelay({ RELAY_BATCH_SIZE: "7" }),
      ]);
      const orders = Array.from({ length: 100 }, () => randomUUID());
      // Ten waves written while both replicas run, so claims of different waves overlap.
      const written = await writeWaves(orders, 10);

      await waitFor(async () => (await countByStatus(file.sql, "PUBLISHED")) === 1000, {
        what: "1,000 PUBLISHED rows",
        timeoutMs: 60_000,
      });
      await reader.waitForCount(1000, 30_000);
      const ids = reader.eventIds();
      expect(new Set(ids).size).toBe(1000);
      expect(ids).toHaveLength(1000);
      expect(new Set(ids)).toEqual(new Set(written.map((e) => e.eventId)));
      for (const orderId of orders)
        expect(seqsOf(reader, orderId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const perReplica = [
        await metricValue(a!.url, "outbox_published_total"),
        await metricValue(b!.url, "outbox_published_total"),
      ];
      expect(perReplica[0]! + perReplica[1]!).toBe(1000);
    } finally {
      await reader.stop();
      await Promise.all(file.relays.splice(0).map((r) => r.close()));
    }
  });

  it("keeps two claims in flight in one replica on a backlog, publishing each event once and every order's events in order", async () => {
    const reader = await collectTopic(file.topic, { create: true });
    let inside = 0;
    let mostInside = 0;
    try {
      const orders = Array.from({ length: 100 }, () => randomUUID());
      const written = await writeWaves(orders, 6);
      // Between Kafka's acknowledgement and the commit: two batches there at once are two claims
      // in flight.
      await file.startRelay(
        { RELAY_BATCH_SIZE: "10", RELAY_BATCH_SIZE_MAX: "10", RELAY_CLAIMS_IN_FLIGHT: "2" },
        {
          hooks: {
            afterPublish: async () => {
              mostInside = Math.max(mostInside, ++inside);
              await new Promise((resolve) => setTimeout(resolve, 20));
              inside--;
            },
          },
        },
      );
      await waitFor(async () => (await countByStatus(file.sql, "READY")) === 0, {
        what: "drained outbox",
        timeoutMs: 60_000,
      });
      // The topic also holds the other tests' events: only this test's orders count.
      const ours = new Set<string>(orders);
      const mine = () => reader.messages.filter((m) => ours.has(m.key!));
      await waitFor(() => mine().length >= 600, { what: "600 events on the topic" });
      const ids = mine().map((m) => m.headers["event-id"]);
      expect(ids).toHaveLength(600);
      expect(new Set(ids)).toEqual(new Set(written.map((e) => e.eventId)));
      for (const orderId of orders) expect(seqsOf(reader, orderId)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(mostInside).toBe(2);
    } finally {
      await reader.stop();
      await Promise.all(file.relays.splice(0).map((r) => r.close()));
    }
  });

  it("lets the backlog grow without spending attempts while Kafka is unreachable, then drains it once Kafka answers", async () => {
    const cut = await aRelay({ KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    const before = await countByStatus(file.sql, "READY");
    const events = Array.from({ length: 30 }, () => anOrderEvent());
    for (const event of events) await insertOutbox(file.sql, [event]);

    await waitFor(
      async () => (await metricValue(cut.url, "outbox_ready_backlog")) === before + 30,
      { what: "backlog of 30 on /metrics" },
    );
    expect(await metricValue(cut.url, "outbox_oldest_ready_age_seconds")).toBeGreaterThan(0);
    expect((await fetch(`${cut.url}/health/ready`)).status).toBe(503);
    const waiting = (await outboxRows(file.sql)).filter((r) =>
      events.some((e) => e.eventId === r.event_id),
    );
    expect(waiting.map((r) => [r.status, r.attempts])).toEqual(events.map(() => ["READY", 0]));
    await cut.close();

    const reader = await collectTopic(file.topic, { create: true });
    try {
      await aRelay();
      await waitFor(async () => (await countByStatus(file.sql, "READY")) === 0, {
        what: "drained outbox",
        timeoutMs: 30_000,
      });
      await waitFor(() => events.every((e) => reader.eventIds().includes(e.eventId)), {
        what: "all 30 events on the topic",
        timeoutMs: 30_000,
      });
    } finally {
      await reader.stop();
    }
  });
});
