import { randomUUID } from "node:crypto";
import { metricValue, waitForLockWaits } from "@app/shared/testing";
import { aProduct, call, catalogForFile, reservationStatus, reserve, stockOf } from "./support";
import { holdStockRow } from "./stockRowLock";

const t = catalogForFile();

const countBy = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe("POST /internal/v1/reservations under concurrency", () => {
  it("lets exactly 5 of 10 concurrent 1-unit reservations succeed against 5 units, never below zero", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        reserve(t, randomUUID(), [{ productId: product.id, quantity: 1 }]),
      ),
    );
    const statuses = countBy(results.map((r) => r.status));
    expect(statuses).toEqual({ 201: 5, 409: 5 });
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body.code).toBe("OUT_OF_STOCK");
    expect((await stockOf(t, product.id)).quantity).toBe(0);
    const held: { n: number }[] = await t.sql.query(
      "SELECT CAST(SUM(quantity) AS SIGNED) AS n FROM reservation_items WHERE product_id = ?",
      [product.id],
    );
    expect(held[0]!.n).toBe(5);
  });

  it("holds all-or-nothing across 50 concurrent multi-line reservations in opposite orders on a hot product", async () => {
    const hot = await aProduct(t, { quantity: 20 });
    const a = await aProduct(t, { quantity: 1000 });
    const b = await aProduct(t, { quantity: 1000 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const lines = [
          { productId: a.id, quantity: 1 },
          { productId: hot.id, quantity: 1 },
          { productId: b.id, quantity: 1 },
        ];
        return reserve(t, randomUUID(), i % 2 === 0 ? lines : [...lines].reverse());
      }),
    );
    const statuses = results.map((r) => r.status);
    // No deadlock surfaced as a 500, and no request gave up on contention.
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const reserved = statuses.filter((s) => s === 201).length;
    expect(reserved).toBe(20);
    expect((await stockOf(t, hot.id)).quantity).toBe(0);
    // All-or-nothing: the other lines moved exactly as often as the hot one.
    expect((await stockOf(t, a.id)).quantity).toBe(1000 - reserved);
    expect((await stockOf(t, b.id)).quantity).toBe(1000 - reserved);
    const shorts = results.filter((r) => r.status === 409).map((r) => r.body.shortItems);
    for (const short of shorts)
      expect(short).toEqual([{ productId: hot.id, requested: 1, available: 0 }]);
  });

  it("decrements once when the same reservationId arrives 5 times at once", async () => {
    const product = await aProduct(t, { quantity: 10 });
    const reservationId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        reserve(t, reservationId, [{ productId: product.id, quantity: 3 }]),
      ),
    );
    expect(countBy(results.map((r) => r.status))).toEqual({ 200: 4, 201: 1 });
    for (const r of results)
      expect(r.body).toMatchObject({
        reservationId,
        status: "RESERVED",
        items: [{ productId: product.id, quantity: 3 }],
      });
    expect((await stockOf(t, product.id)).quantity).toBe(7);
  });

  it("replays the stored reservation with 200 for a later retry", async () => {
    const product = await aProduct(t, { quantity: 10, price: 700 });
    const reservationId = randomUUID();
    const first = await reserve(t, reservationId, [{ productId: product.id, quantity: 2 }]);
    await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      body: { price: 900 },
    });
    const again = await reserve(t, reservationId, [{ productId: product.id, quantity: 2 }]);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await stockOf(t, product.id)).quantity).toBe(8);
  });

  it("waits for a writer holding the stock row, then takes the units with no retry, after the writer's version", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const retriesBefore = await metricValue(t.url, "catalog_stock_version_conflict_retries_total");
    const writer = await holdStockRow(t, product.id);

    const pending = reserve(t, randomUUID(), [{ productId: product.id, quantity: 2 }]);
    await writer.waitForBlocked();
    await writer.bumpVersionAndCommit();
    const response = await pending;

    expect(response.status).toBe(201);
    // The guarded decrement needs no particular version, so the writer costs no retry.
    expect(await metricValue(t.url, "catalog_stock_version_conflict_retries_total")).toBe(
      retriesBefore,
    );
    // The writer's version, then the reservation's.
    expect(await stockOf(t, product.id)).toEqual({ quantity: 3, version: 2 });
  });

  it("keeps nothing of a multi-line reservation that lost a deadlock on its first line: the second line's decrement does not stay", async () => {
    const [first, second] = (
      await Promise.all([aProduct(t, { quantity: 10 }), aProduct(t, { quantity: 10 })])
    ).sort((a, b) => (a.id < b.id ? -1 : 1));
    const reservationId = randomUUID();
    const other = await t.sql.getConnection();
    try {
      await other.beginTransaction();
      // InnoDB rolls back the transaction that changed less: these rows make this one the winner.
      await other.batch(
        "INSERT INTO processed_events (event_id, event_type, processed_at) VALUES (?, 'BALLAST', ?)",
        Array.from({ length: 500 }, () => [randomUUID(), new Date()]),
      );
      await other.query("SELECT quantity FROM stocks WHERE product_id = ? FOR UPDATE", [first.id]);
      // The reservation inserts its row, then waits on the first line's stock row.
      const pending = reserve(t, reservationId, [
        { productId: first.id, quantity: 1 },
        { productId: second.id, quantity: 1 },
      ]);
      await waitForLockWaits(t.sql, t.db.name);
      // Asking for the reservation's row closes the cycle: InnoDB rolls the reservation back.
      await other.query("SELECT id FROM reservations WHERE id = ? FOR UPDATE", [reservationId]);
      await other.rollback();
      // The catalog retries the rolled-back attempt, which now goes through.
      const response = await pending;
      expect(response.status).toBe(201);
    } finally {
      await other.release();
    }
    expect((await stockOf(t, first.id)).quantity).toBe(9);
    expect((await stockOf(t, second.id)).quantity).toBe(9);
    const held: { n: number }[] = await t.sql.query(
      "SELECT CAST(SUM(quantity) AS SIGNED) AS n FROM reservation_items WHERE reservation_id = ?",
      [reservationId],
    );
    expect(held[0]!.n).toBe(2);
  });
});

describe("POST /internal/v1/reservations when the retries run out", () => {
  // One attempt, and a row lock waited for 1 s at most: a reservation stuck behind a writer gives
  // up. A pool of 4 keeps later requests waiting for a connection meanwhile.
  const c = catalogForFile({
    RESERVATION_MAX_ATTEMPTS: "1",
    DATABASE_LOCK_WAIT_SECONDS: "1",
    DATABASE_POOL_SIZE: "4",
  });

  it("answers 503 STOCK_CONTENTION with Retry-After to those that waited out the lock, stores nothing for them, and never oversells", async () => {
    const product = await aProduct(c, { quantity: 50 });
    const reservationIds = Array.from({ length: 12 }, () => randomUUID());
    const writer = await holdStockRow(c, product.id);

    const calls = reservationIds.map((id) =>
      reserve(c, id, [{ productId: product.id, quantity: 1 }]),
    );
    await writer.waitForBlocked();
    // Nothing can win while the row is held: the first answer is a reservation giving up.
    expect((await Promise.race(calls)).status).toBe(503);
    await writer.bumpVersionAndCommit();
    const results = await Promise.all(calls);

    const won = reservationIds.filter((_, i) => results[i]!.status === 201);
    const lost = reservationIds.filter((_, i) => results[i]!.status === 503);
    expect(won.length + lost.length).toBe(reservationIds.length);
    expect(won.length).toBeGreaterThan(0);
    expect(lost.length).toBeGreaterThan(0);
    for (const r of results.filter((r) => r.status === 503)) {
      expect(r.body.code).toBe("STOCK_CONTENTION");
      expect(r.headers.get("retry-after")).toBe("1");
    }
    const stock = await stockOf(c, product.id);
    expect(stock.quantity).toBe(50 - won.length);
    for (const id of lost) expect(await reservationStatus(c, id)).toBeUndefined();

    // Not stored: the order service's retry with the same reservationId reserves normally.
    const retried = await reserve(c, lost[0]!, [{ productId: product.id, quantity: 1 }]);
    expect(retried.status).toBe(201);
    expect((await stockOf(c, product.id)).quantity).toBe(50 - won.length - 1);
  });
});
