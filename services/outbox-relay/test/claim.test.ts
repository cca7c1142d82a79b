import { waitFor } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import { type RunningRelay } from "../src/main";
import {
  anOrderEvent,
  insertOutbox,
  metricValue,
  type OrderEvent,
  outboxRows,
  relayTestFile,
  type TopicCollector,
  untilReady,
} from "./support";

// Claims driven by hand (no loops): what one pass takes is exactly what the claim SQL chose.
const file = relayTestFile("relay_claims");
let relay: RunningRelay;
/** A second replica whose pass can be held between Kafka's acknowledgement and its commit. */
let holding: RunningRelay;
let hold: { reached: () => void; release: Promise<void> } | undefined;
let reader: TopicCollector;

beforeAll(async () => {
  const batchOfFive = { RELAY_BATCH_SIZE: "5" };
  relay = await file.startRelay(batchOfFive, { loops: false });
  holding = await file.startRelay(batchOfFive, {
    loops: false,
    hooks: {
      afterPublish: async () => {
        const h = hold;
        hold = undefined;
        h?.reached();
        await h?.release;
      },
    },
  });
  for (const r of [relay, holding]) await untilReady(r);
  reader = await file.readTopic();
});

afterEach(async () => {
  // Each test starts from an outbox with nothing publishable left over.
  await file.sql.query("DELETE FROM outbox_events");
});

/** Starts a pass of the holding replica and resolves once its batch is on Kafka, still uncommitted. */
async function holdAPass(): Promise<{ release: () => Promise<void> }> {
  let reached: () => void = () => undefined;
  let release: () => void = () => undefined;
  const inHook = new Promise<void>((resolve) => (reached = resolve));
  hold = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
  const pass = holding.runOnce();
  await inHook;
  return {
    release: async () => {
      release();
      await pass;
    },
  };
}

const statusOf = async (events: OrderEvent[]) => {
  const rows = await outboxRows(file.sql);
  return events.map((e) => rows.find((r) => r.event_id === e.eventId)?.status);
};

describe("claiming a batch", () => {
  it("fills the batch with publishable rows, skipping rows that wait behind an earlier unpublished event of their order", async () => {
    const backingOff = randomUUID();
    const failed = randomUUID();
    await insertOutbox(file.sql, [anOrderEvent({ orderId: backingOff })], {
      availableAt: new Date(Date.now() + 3_600_000),
    });
    await insertOutbox(file.sql, [anOrderEvent({ orderId: failed })], { status: "FAILED" });
    const blocked = [
      anOrderEvent({ orderId: backingOff, eventType: "ORDER_CANCELLED" }),
      anOrderEvent({ orderId: failed, eventType: "ORDER_CANCELLED" }),
      anOrderEvent({ orderId: backingOff, eventType: "ORDER_COMPLETED" }),
    ];
    await insertOutbox(file.sql, blocked);
    const heads = Array.from({ length: 5 }, () => anOrderEvent());
    await insertOutbox(file.sql, heads);

    // The blocked rows are older than the heads: a claim that took them would leave slots empty.
    expect(await relay.runOnce()).toEqual({ published: 5, retried: 0, failed: 0 });
    expect(await statusOf(heads)).toEqual(heads.map(() => "PUBLISHED"));
    expect(await statusOf(blocked)).toEqual(blocked.map(() => "READY"));
    expect(await relay.runOnce()).toEqual({ published: 0, retried: 0, failed: 0 });
    expect(await metricValue(relay.url, "outbox_orders_blocked_by_failed")).toBe(1);
  });

  it("takes a single event per order per batch, the next one in the following pass", async () => {
    const orderId = randomUUID();
    const events = [
      anOrderEvent({ orderId }),
      anOrderEvent({ orderId, eventType: "ORDER_CANCELLED" }),
    ];
    await insertOutbox(file.sql, events);
    expect(await relay.runOnce()).toMatchObject({ published: 1 });
    expect(await statusOf(events)).toEqual(["PUBLISHED", "READY"]);
    expect(await relay.runOnce()).toMatchObject({ published: 1 });
    await waitFor(() => events.every((e) => reader.eventIds().includes(e.eventId)), {
      what: "both events on the topic",
    });
    expect(
      reader.messages.filter((m) => m.key === orderId).map((m) => m.headers["event-id"]),
    ).toEqual(events.map((e) => e.eventId));
  });

  it("holds back an order's later event while another replica has its earlier one in hand, and claims other orders meanwhile", async () => {
    const orderId = randomUUID();
    const first = anOrderEvent({ orderId });
    await insertOutbox(file.sql, [first]);
    const held = await holdAPass();
    try {
      const second = anOrderEvent({ orderId, eventType: "ORDER_CANCELLED" });
      const other = anOrderEvent();
      await insertOutbox(file.sql, [second, other]);
      expect(await relay.runOnce()).toMatchObject({ published: 1 });
      expect(await statusOf([first, second, other])).toEqual(["READY", "READY", "PUBLISHED"]);

      await held.release();
      expect(await relay.runOnce()).toMatchObject({ published: 1 });
      await waitFor(() => reader.eventIds().includes(second.eventId), {
        what: "the later event on the topic",
      });
      expect(
        reader.messages.filter((m) => m.key === orderId).map((m) => m.headers["event-id"]),
      ).toEqual([first.eventId, second.eventId]);
    } finally {
      await held.release();
    }
  });

  it("locks only its own batch: a second replica claiming meanwhile fills its batch with the next rows", async () => {
    const events = Array.from({ length: 10 }, () => anOrderEvent());
    await insertOutbox(file.sql, events);
    const held = await holdAPass();
    try {
      expect(await relay.runOnce()).toEqual({ published: 5, retried: 0, failed: 0 });
    } finally {
      await held.release();
    }
    expect(await statusOf(events)).toEqual(events.map(() => "PUBLISHED"));
    await waitFor(() => events.every((e) => reader.eventIds().includes(e.eventId)), {
      what: "all 10 on the topic",
    });
    expect(reader.eventIds().filter((id) => events.some((e) => e.eventId === id))).toHaveLength(10);
  });
});
