// The invariant ledger, checked once everything is healed and settled: what the client saw
// against what the databases and the topic hold. Each broken invariant is a named violation.
import { isDeepStrictEqual } from "node:util";
import { createPool, KafkaClient, type Pool } from "@app/shared";
import { waitFor } from "@app/shared/testing";
import type { Exchange } from "./client";
import { readinessLies, type Fault } from "./faults";
import type { Load, Placement, Product, TopUp } from "./load";
import type { ReplicatedStack } from "./replicatedStack";

export interface Violation {
  name: string;
  detail: string;
}

export interface LedgerInput {
  stack: ReplicatedStack;
  kafkaBrokers: string[];
  load: Load;
  products: Product[];
  exchanges: Exchange[];
  faults: Fault[];
  /** The answers of replaying every placement that got a 201, after healing. */
  replays: { placement: Placement; status: number | string; text: string }[];
  /** How long the settle phase may wait for reservations, the outbox and notifications. */
  settleTimeoutMs: number;
}

interface OrderRow {
  id: string;
  user_id: string;
  status: string;
  total_amount: number;
  created_at: Date;
}

interface Facts {
  orders: Map<string, OrderRow & { items: { product_id: string; quantity: number }[] }>;
  keys: { user_id: string; idempotency_key: string; order_id: string | null }[];
  events: { eventId: string; eventType: string; orderId: string; partition: number }[];
  notifications: Map<string, { created_at: Date; type: string; order_id: string }>;
  /** When each event's outbox row was written: the placement's commit. */
  committedAt: Map<string, number>;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

async function ordersOf(sql: Pool): Promise<Facts["orders"]> {
  const orders: Facts["orders"] = new Map();
  for (const [table, items] of [
    ["orders", "order_items"],
    ["orders_archive", "order_items_archive"],
  ] as const) {
    const rows = (await sql.query(
      `SELECT id, user_id, status, total_amount, created_at FROM ${table}`,
    )) as OrderRow[];
    for (const row of rows) orders.set(row.id, { ...row, items: [] });
    const lines = (await sql.query(`SELECT order_id, product_id, quantity FROM ${items}`)) as {
      order_id: string;
      product_id: string;
      quantity: number;
    }[];
    for (const line of lines) orders.get(line.order_id)?.items.push(line);
  }
  return orders;
}

/** Settles: no reservation held, nothing unpublished, a notification for every event. */
async function settle(input: LedgerInput, sql: { orders: Pool; catalog: Pool; notifier: Pool }) {
  const timeoutMs = input.settleTimeoutMs;
  const count = async (pool: Pool, query: string) =>
    Number(((await pool.query(query)) as { n: number }[])[0]!.n);
  // Waits (at most timeoutMs, then reads anyway) until `query` counts no rows.
  const untilNone = (pool: Pool, query: string, what: string) =>
    waitFor(async () => (await count(pool, query)) === 0, {
      what,
      timeoutMs,
      intervalMs: 1000,
    }).catch(() => undefined);
  await untilNone(
    sql.catalog,
    "SELECT COUNT(*) AS n FROM reservations WHERE status = 'RESERVED'",
    "every reservation settled",
  );
  await untilNone(
    sql.orders,
    "SELECT COUNT(*) AS n FROM outbox_events WHERE status = 'READY'",
    "the outbox drained",
  );
  // Cancellations give stock back through the catalog's consumer: the stock balance is read
  // once both consumer groups have processed every event on the topic.
  const kafka = new KafkaClient({ brokers: input.kafkaBrokers, clientId: "chaos-settle" });
  for (const service of ["catalog", "notifier"])
    await waitFor(
      async () =>
        (await kafka.groupLag(`${input.stack.dbPrefix}${service}`, input.stack.topic)) === 0,
      { what: `the ${service} consumer group caught up`, timeoutMs, intervalMs: 1000 },
    ).catch(() => undefined);
  await waitFor(
    async () =>
      (await count(sql.notifier, "SELECT COUNT(*) AS n FROM notifications")) >=
      (await count(sql.orders, "SELECT COUNT(*) AS n FROM outbox_events")),
    { what: "a notification per event", timeoutMs, intervalMs: 1000 },
  ).catch(() => undefined);
}

async function gather(input: LedgerInput, sql: { orders: Pool; notifier: Pool }): Promise<Facts> {
  const kafka = new KafkaClient({ brokers: input.kafkaBrokers, clientId: "chaos-ledger" });
  const messages = await kafka.readAll(input.stack.topic, 120_000);
  const events = messages.map((m) => {
    const e = JSON.parse(m.value!.toString()) as {
      eventId: string;
      eventType: string;
      aggregateId: string;
    };
    return {
      eventId: e.eventId,
      eventType: e.eventType,
      orderId: e.aggregateId,
      partition: m.partition,
    };
  });
  const notifications = new Map(
    (
      (await sql.notifier.query(
        "SELECT event_id, order_id, type, created_at FROM notifications",
      )) as { event_id: string; order_id: string; type: string; created_at: Date }[]
    ).map((n) => [n.event_id, n]),
  );
  const outbox = (await sql.orders.query("SELECT event_id, created_at FROM outbox_events")) as {
    event_id: string;
    created_at: Date;
  }[];
  return {
    committedAt: new Map(outbox.map((r) => [r.event_id, r.created_at.getTime()])),
    orders: await ordersOf(sql.orders),
    keys: (await sql.orders.query(
      "SELECT user_id, idempotency_key, order_id FROM idempotency_keys",
    )) as Facts["keys"],
    events,
    notifications,
  };
}

function checkIdempotency(input: LedgerInput, facts: Facts, v: Violation[]): void {
  const clientKeys = new Map(input.load.placements.map((p) => [`${p.userId}|${p.key}`, p]));
  const keyOfOrder = new Map<string, string[]>();
  for (const k of facts.keys)
    if (k.order_id)
      keyOfOrder.set(k.order_id, [
        ...(keyOfOrder.get(k.order_id) ?? []),
        `${k.user_id}|${k.idempotency_key}`,
      ]);
  for (const [id, order] of facts.orders) {
    const keys = keyOfOrder.get(id) ?? [];
    if (keys.length !== 1)
      v.push({
        name: "order-without-one-key",
        detail: `order ${id} is referenced by ${keys.length} keys`,
      });
    else if (!clientKeys.has(keys[0]!) || !keys[0]!.startsWith(`${order.user_id}|`))
      v.push({
        name: "order-for-unknown-key",
        detail: `order ${id} (key ${keys[0]}) was never asked for`,
      });
  }
  for (const placement of input.load.placements.filter((p) => p.key && p.finals.length)) {
    const same = placement.finals.filter((f) => !f.otherBody);
    for (const f of same.slice(1))
      if (f.status !== same[0]!.status || !isDeepStrictEqual(parse(f.text), parse(same[0]!.text)))
        v.push({
          name: "replay-differs",
          detail: `key ${placement.key}: ${same[0]!.status} then ${f.status}`,
        });
    for (const f of placement.finals.filter((x) => x.otherBody))
      if (f.status !== 422)
        v.push({
          name: "key-reused-not-refused",
          detail: `key ${placement.key}: another body got ${f.status}`,
        });
    if (!placement.orderId) continue;
    const order = facts.orders.get(placement.orderId);
    const seen = parse(same.find((f) => f.status === 201)!.text) as {
      userId: string;
      totalAmount: number;
      items: { productId: string; quantity: number }[];
    };
    if (!order) {
      v.push({
        name: "acknowledged-order-missing",
        detail: `order ${placement.orderId} (201) is not in the database`,
      });
      continue;
    }
    const lines = (items: { productId: string; quantity: number }[]) =>
      items.map((i) => `${i.productId}x${i.quantity}`).sort();
    if (
      order.user_id !== seen.userId ||
      Number(order.total_amount) !== Number(seen.totalAmount) ||
      !isDeepStrictEqual(
        lines(order.items.map((i) => ({ productId: i.product_id, quantity: i.quantity }))),
        lines(seen.items),
      )
    )
      v.push({
        name: "acknowledged-order-differs",
        detail: `order ${placement.orderId} differs from its 201`,
      });
  }
  for (const replay of input.replays) {
    const first = replay.placement.finals.find((f) => f.status === 201 && !f.otherBody)!;
    if (replay.status !== 201 || !isDeepStrictEqual(parse(replay.text), parse(first.text)))
      v.push({
        name: "replay-after-healing-differs",
        detail: `key ${replay.placement.key}: replay answered ${replay.status}`,
      });
  }
}

/**
 * initial + top-ups − available = quantities of orders not cancelled. A top-up whose answer was
 * lost may or may not have happened: the books balance with some subset of those.
 */
function checkStock(
  input: LedgerInput,
  facts: Facts,
  stock: Map<string, number>,
  reserved: number,
  v: Violation[],
): void {
  if (reserved > 0)
    v.push({
      name: "stock-held-after-settling",
      detail: `${reserved} reservations still RESERVED`,
    });
  for (const product of input.products) {
    const available = stock.get(product.id) ?? NaN;
    if (available < 0) v.push({ name: "negative-stock", detail: `${product.id}: ${available}` });
    const mine = (t: TopUp) => t.productId === product.id;
    const applied = input.load.topUps.filter((t) => mine(t) && t.outcome === "applied");
    const unknown = input.load.topUps
      .filter((t) => mine(t) && t.outcome === "unknown")
      .slice(0, 12);
    let ordered = 0;
    for (const order of facts.orders.values())
      if (order.status !== "CANCELLED")
        for (const line of order.items)
          if (line.product_id === product.id) ordered += line.quantity;
    const base = product.initial + applied.reduce((s, t) => s + t.delta, 0) - available;
    let balances = false;
    for (let mask = 0; mask < 1 << unknown.length && !balances; mask++) {
      const extra = unknown.reduce((s, t, i) => s + (mask & (1 << i) ? t.delta : 0), 0);
      balances = base + extra === ordered;
    }
    if (!balances)
      v.push({
        name: "stock-not-conserved",
        detail: `${product.id}${product.hot ? " (hot)" : ""}: initial ${product.initial} + top-ups ${base - product.initial + available} - available ${available} != ordered ${ordered} (${unknown.length} top-ups unknown)`,
      });
  }
}

function checkEvents(
  facts: Facts,
  outbox: { event_id: string; status: string }[],
  dlq: number,
  v: Violation[],
): void {
  const unpublished = outbox.filter((r) => r.status !== "PUBLISHED");
  if (unpublished.length)
    v.push({
      name: "outbox-unpublished",
      detail: `${unpublished.length} rows (${[...new Set(unpublished.map((r) => r.status))].join(", ")})`,
    });
  if (dlq > 0) v.push({ name: "dead-lettered", detail: `${dlq} messages on the DLQ` });
  const onTopic = new Set(facts.events.map((e) => e.eventId));
  const missing = outbox.filter((r) => !onTopic.has(r.event_id));
  if (missing.length)
    v.push({
      name: "event-not-on-topic",
      detail: `${missing.length} outbox events never reached Kafka`,
    });
  const perOrder = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const e of facts.events) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    perOrder.set(e.orderId, [...(perOrder.get(e.orderId) ?? []), e.eventType]);
  }
  for (const [id, order] of facts.orders) {
    const types = perOrder.get(id) ?? [];
    const expected =
      order.status === "CREATED" ? ["ORDER_CREATED"] : ["ORDER_CREATED", `ORDER_${order.status}`];
    if (!isDeepStrictEqual(types, expected))
      v.push({
        name: "events-out-of-order",
        detail: `order ${id} (${order.status}): ${types.join(" → ") || "no events"}`,
      });
  }
  for (const id of perOrder.keys())
    if (!facts.orders.has(id)) v.push({ name: "event-for-unknown-order", detail: id });
  const withoutNotification = [...seen].filter((id) => !facts.notifications.has(id));
  if (withoutNotification.length)
    v.push({ name: "event-without-notification", detail: `${withoutNotification.length} events` });
  for (const id of facts.notifications.keys())
    if (!seen.has(id)) v.push({ name: "notification-without-event", detail: id });
}

/** Outside a fault and its recovery, and anything but 503 with Retry-After within one: a violation. */
function checkServerErrors(input: LedgerInput, windows: [number, number][], v: Violation[]): void {
  const counts = new Map<string, number>();
  for (const e of input.exchanges) {
    if (typeof e.outcome !== "number" || e.outcome < 500) continue;
    const duringFault = windows.some(([from, to]) => e.startedAt <= to && e.endedAt >= from);
    const allowed = e.outcome === 503 && e.retryAfter !== undefined && duringFault;
    if (allowed) continue;
    const key = `${e.op} ${e.outcome} ${e.code ?? ""}${e.outcome === 503 && !e.retryAfter ? " without Retry-After" : ""}${duringFault ? "" : " outside any fault"}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of counts) v.push({ name: "server-error", detail: `${n}× ${key}` });
}

export interface Recovery {
  fault: Fault;
  ordersMs?: number;
  notificationsMs?: number;
  /** Until the first notification stored after healing: when consumption resumed. */
  resumedMs?: number;
  /** Until every order created before healing had its notification (0: none was waiting). */
  backlogMs?: number;
}

/** Until a new placement succeeds, and until an order placed after healing is notified within 1 s. */
function recoveries(input: LedgerInput, facts: Facts): Recovery[] {
  const placedAt = new Map(input.load.createdOrders.map((o) => [o.orderId, o.at]));
  const created = [...facts.notifications]
    .filter(([, n]) => n.type === "ORDER_CREATED")
    .map(([eventId, n]) => ({ ...n, committedAt: facts.committedAt.get(eventId) }));
  return input.faults.map((fault, i) => {
    const next = input.faults[i + 1]?.injectedAt ?? Infinity;
    const firstOk = input.exchanges
      .filter((e) => e.op.startsWith("place") && e.outcome === 201 && e.startedAt >= fault.healedAt)
      .reduce((min, e) => Math.min(min, e.endedAt), Infinity);
    let notified = Infinity;
    for (const n of created) {
      const order = facts.orders.get(n.order_id);
      const at = placedAt.get(n.order_id);
      if (!order || at === undefined || at < fault.healedAt) continue;
      if (n.committedAt !== undefined && n.created_at.getTime() - n.committedAt < 1000)
        notified = Math.min(notified, n.created_at.getTime());
    }
    let resumed = Infinity;
    for (const n of facts.notifications.values())
      if (n.created_at.getTime() >= fault.healedAt)
        resumed = Math.min(resumed, n.created_at.getTime());
    let caughtUp = fault.healedAt;
    for (const n of created) {
      const order = facts.orders.get(n.order_id);
      if (order && order.created_at.getTime() < fault.healedAt)
        caughtUp = Math.max(caughtUp, n.created_at.getTime());
    }
    return {
      fault,
      // Not drained before the next fault: that one's backlog, not this one's.
      backlogMs: caughtUp <= next ? caughtUp - fault.healedAt : undefined,
      ordersMs: Number.isFinite(firstOk) ? Math.max(0, firstOk - fault.healedAt) : undefined,
      // Not resumed before the next fault: that one's stall, not this one's.
      resumedMs: Number.isFinite(resumed) && resumed <= next ? resumed - fault.healedAt : undefined,
      notificationsMs: Number.isFinite(notified)
        ? Math.max(0, notified - fault.healedAt)
        : undefined,
    };
  });
}

/** Placement to notification of every ORDER_CREATED, in ms (p50, p99, max). */
function notificationLag(facts: Facts): { p50: number; p99: number; max: number } | undefined {
  const lags: number[] = [];
  for (const [eventId, n] of facts.notifications) {
    const committed = facts.committedAt.get(eventId);
    if (n.type === "ORDER_CREATED" && committed !== undefined)
      lags.push(n.created_at.getTime() - committed);
  }
  if (!lags.length) return undefined;
  lags.sort((a, b) => a - b);
  const at = (p: number) => lags[Math.min(lags.length - 1, Math.ceil(p * lags.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), max: lags[lags.length - 1]! };
}

export interface LedgerResult {
  notificationLagMs?: { p50: number; p99: number; max: number };
  violations: Violation[];
  recoveries: Recovery[];
  orders: number;
  events: number;
  duplicatesOnTopic: number;
  /** [from, to] of each fault and its recovery: where a 503 with Retry-After is fine. */
  windows: [number, number][];
}

export async function checkLedger(input: LedgerInput): Promise<LedgerResult> {
  const sql = {
    orders: createPool(input.stack.databaseUrl("orders"), { connectionLimit: 2 }),
    catalog: createPool(input.stack.databaseUrl("catalog"), { connectionLimit: 2 }),
    notifier: createPool(input.stack.databaseUrl("notifier"), { connectionLimit: 2 }),
  };
  try {
    await settle(input, sql);
    const facts = await gather(input, sql);
    const v: Violation[] = [];
    const recovered = recoveries(input, facts);
    const windows = recovered.map((r): [number, number] => [
      r.fault.injectedAt,
      r.fault.healedAt + (r.ordersMs ?? 30_000) + 5_000,
    ]);
    checkIdempotency(input, facts, v);
    const stock = new Map(
      (
        (await sql.catalog.query("SELECT product_id, quantity FROM stocks")) as {
          product_id: string;
          quantity: number;
        }[]
      ).map((s) => [s.product_id, s.quantity]),
    );
    const reserved = Number(
      (
        (await sql.catalog.query(
          "SELECT COUNT(*) AS n FROM reservations WHERE status = 'RESERVED'",
        )) as { n: number }[]
      )[0]!.n,
    );
    checkStock(input, facts, stock, reserved, v);
    const outbox = (await sql.orders.query("SELECT event_id, status FROM outbox_events")) as {
      event_id: string;
      status: string;
    }[];
    const kafka = new KafkaClient({ brokers: input.kafkaBrokers, clientId: "chaos-ledger" });
    const dlq = (await kafka.readAll(`${input.stack.topic}.dlq`, 60_000).catch(() => [])).length;
    checkEvents(facts, outbox, dlq, v);
    checkServerErrors(input, windows, v);
    for (const exit of input.stack.unexpectedExits) v.push({ name: "replica-died", detail: exit });
    for (const lie of readinessLies) v.push({ name: "relay-readiness-wrong", detail: lie });
    return {
      violations: v,
      recoveries: recovered,
      orders: facts.orders.size,
      notificationLagMs: notificationLag(facts),
      events: new Set(facts.events.map((e) => e.eventId)).size,
      duplicatesOnTopic: facts.events.length - new Set(facts.events.map((e) => e.eventId)).size,
      windows,
    };
  } finally {
    await Promise.all(Object.values(sql).map((p) => p.end()));
  }
}
