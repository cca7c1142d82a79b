// The limit for placement: the same database work the catalog and order services do for one
// order (idempotency row, reservation with a guarded decrement, order, items, outbox
// row, completed key), as raw SQL from one process with no HTTP, no JSON, no auth.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import { createTestDatabase } from "@app/shared/testing";
import { perOrder, roundTripCounter, type RoundTrips } from "./serverCounters";
import { percentile, round } from "./stats";

const REPO = path.resolve(__dirname, "..");
const DECREMENT_IF_AVAILABLE =
  "UPDATE stocks SET quantity = quantity - ?, version = version + 1, updated_at = ? WHERE product_id = ? AND quantity >= ?";

interface Product {
  id: string;
}

async function placeOne(
  catalog: Pool,
  orders: Pool,
  userId: string,
  product: Product,
): Promise<boolean> {
  const now = new Date();
  const key = randomUUID();
  const reservationId = randomUUID();
  await orders.query(
    `INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, state, reservation_id, locked_until, created_at, updated_at)
     VALUES (?, ?, ?, 'IN_FLIGHT', ?, ?, ?, ?)`,
    [userId, key, "0".repeat(64), reservationId, new Date(now.getTime() + 30_000), now, now],
  );
  const c = await catalog.getConnection();
  let line: { sku: string; name: string; price: number; currency: string };
  try {
    await c.beginTransaction();
    await c.query(
      "INSERT INTO reservations (id, status, expires_at, created_at, updated_at) VALUES (?, 'RESERVED', ?, ?, ?)",
      [reservationId, new Date(now.getTime() + 600_000), now, now],
    );
    const [row] = await c.query(
      "SELECT p.id, p.sku, p.name, p.price, p.currency, s.quantity FROM products p JOIN stocks s ON s.product_id = p.id WHERE p.id IN (?)",
      [product.id],
    );
    const updated = await c.query(DECREMENT_IF_AVAILABLE, [1, now, product.id, 1]);
    if (updated.affectedRows !== 1) {
      await c.rollback();
      return false; // sold out (the products hold a million units each: not in a run)
    }
    await c.batch(
      "INSERT INTO reservation_items (reservation_id, product_id, quantity, unit_price, currency, sku, name) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [[reservationId, product.id, 1, row.price, row.currency, row.sku, row.name]],
    );
    await c.commit();
    line = { sku: row.sku, name: row.name, price: Number(row.price), currency: row.currency };
  } finally {
    await c.release();
  }
  const o = await orders.getConnection();
  try {
    await o.beginTransaction();
    await o.query(
      "SELECT state, reservation_id FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? FOR UPDATE",
      [userId, key],
    );
    await o.query("SELECT 1 FROM abandoned_reservations WHERE reservation_id = ?", [reservationId]);
    const orderId = randomUUID();
    await o.query(
      "INSERT INTO orders (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) VALUES (?, ?, 'CREATED', ?, ?, ?, ?, ?)",
      [orderId, userId, line.price, line.currency, reservationId, now, now],
    );
    await o.batch(
      "INSERT INTO order_items (order_id, product_id, sku, name, unit_price, quantity, line_total) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [[orderId, product.id, line.sku, line.name, line.price, 1, line.price]],
    );
    const body = {
      id: orderId,
      userId,
      status: "CREATED",
      items: [{ productId: product.id, quantity: 1, unitPrice: line.price }],
      totalAmount: line.price,
      currency: line.currency,
    };
    await o.query(
      `INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, request_id, status, available_at, created_at)
       VALUES (?, 'Order', ?, 'ORDER_CREATED', ?, ?, 'READY', ?, ?)`,
      [randomUUID(), orderId, JSON.stringify({ ...body, reservationId }), randomUUID(), now, now],
    );
    await o.query(
      `UPDATE idempotency_keys SET state = 'COMPLETED', response_status = 201, response_body = ?, order_id = ?, locked_until = NULL, updated_at = ?
       WHERE user_id = ? AND idempotency_key = ?`,
      [JSON.stringify(body), orderId, now, userId, key],
    );
    await o.commit();
  } finally {
    await o.release();
  }
  return true;
}

export interface RawResult {
  concurrency: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  /** Statements to the database and Redis commands per placed order (Redis: none). */
  roundTripsPerOrder: RoundTrips;
}

/** Runs the raw placements at each concurrency for `seconds`, on throwaway databases. */
export async function rawPlacement(
  concurrencies: number[],
  seconds: number,
  productCount: number,
): Promise<RawResult[]> {
  const catalogDb = await createTestDatabase(
    path.join(REPO, "services/catalog/migrations"),
    "bench_raw_catalog",
  );
  const ordersDb = await createTestDatabase(
    path.join(REPO, "services/order/migrations"),
    "bench_raw_orders",
  );
  const poolSize = Math.max(...concurrencies);
  const catalog = createPool(catalogDb.url, { connectionLimit: poolSize });
  const orders = createPool(ordersDb.url, { connectionLimit: poolSize });
  const roundTrips = roundTripCounter(ordersDb.url, process.env.REDIS_URL!);
  try {
    const products: Product[] = [];
    const now = new Date();
    for (let i = 0; i < productCount; i++) {
      const id = randomUUID();
      await catalog.query(
        "INSERT INTO products (id, sku, name, price, currency, created_at, updated_at) VALUES (?, ?, ?, ?, 'EUR', ?, ?)",
        [id, `RAW-${i}`, `Raw ${i}`, 1000 + i, now, now],
      );
      await catalog.query(
        "INSERT INTO stocks (product_id, quantity, version, updated_at) VALUES (?, 1000000, 0, ?)",
        [id, now],
      );
      products.push({ id });
    }
    const users = Array.from({ length: 20 }, () => randomUUID());
    const results: RawResult[] = [];
    for (const concurrency of concurrencies) {
      const tripsBefore = await roundTrips.read();
      const latencies: number[] = [];
      let done = 0;
      const deadline = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            const t0 = performance.now();
            const ok = await placeOne(
              catalog,
              orders,
              users[Math.floor(Math.random() * users.length)]!,
              products[Math.floor(Math.random() * products.length)]!,
            );
            latencies.push(performance.now() - t0);
            if (ok) done++;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const tripsAfter = await roundTrips.read();
      latencies.sort((a, b) => a - b);
      results.push({
        concurrency,
        perSecond: round(done / elapsed),
        p50: round(percentile(latencies, 50)),
        p90: round(percentile(latencies, 90)),
        p99: round(percentile(latencies, 99)),
        roundTripsPerOrder: perOrder(tripsBefore, tripsAfter, done),
      });
    }
    return results;
  } finally {
    await roundTrips.close();
    await catalog.end();
    await orders.end();
    await catalogDb.drop();
    await ordersDb.drop();
  }
}
