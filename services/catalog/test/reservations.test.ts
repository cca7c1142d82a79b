import { randomUUID } from "node:crypto";
import {
  aProduct,
  availableOf,
  call,
  INTERNAL_TOKEN,
  reservationStatus,
  reserve,
  startTestCatalog,
  stockOf,
  type TestCatalog,
} from "./support";
import { metricValue } from "@app/shared/testing";
import { holdStockRow } from "./stockRowLock";

let t: TestCatalog;

beforeAll(async () => {
  t = await startTestCatalog();
});

afterAll(async () => {
  await t.close();
});

const countBy = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe("POST /internal/v1/reservations", () => {
  it("reserves every line with the unit price of the moment and answers 201", async () => {
    const mug = await aProduct(t, { quantity: 5, price: 1299, name: "Mug" });
    const cup = await aProduct(t, { quantity: 2, price: 450, name: "Cup" });
    const reservationId = randomUUID();
    const response = await reserve(t, reservationId, [
      { productId: mug.id, quantity: 2 },
      { productId: cup.id, quantity: 1 },
    ]);
    expect(response.status).toBe(201);
    expect(response.body.reservationId).toBe(reservationId);
    expect(response.body.status).toBe("RESERVED");
    expect(new Date(response.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(response.body.items).toEqual(
      expect.arrayContaining([
        {
          productId: mug.id,
          sku: mug.sku,
          name: "Mug",
          quantity: 2,
          unitPrice: 1299,
          currency: "EUR",
        },
        {
          productId: cup.id,
          sku: cup.sku,
          name: "Cup",
          quantity: 1,
          unitPrice: 450,
          currency: "EUR",
        },
      ]),
    );
    expect(await stockOf(t, mug.id)).toEqual({ quantity: 3, version: 1 });
    expect(await stockOf(t, cup.id)).toEqual({ quantity: 1, version: 1 });
  });

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

  it("returns 409 OUT_OF_STOCK naming only the short lines and reserves nothing", async () => {
    const plenty = await aProduct(t, { quantity: 10 });
    const scarce = await aProduct(t, { quantity: 1 });
    const reservationId = randomUUID();
    const response = await reserve(t, reservationId, [
      { productId: plenty.id, quantity: 2 },
      { productId: scarce.id, quantity: 3 },
    ]);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      code: "OUT_OF_STOCK",
      shortItems: [{ productId: scarce.id, requested: 3, available: 1 }],
    });
    expect((await stockOf(t, plenty.id)).quantity).toBe(10);
    expect(await reservationStatus(t, reservationId)).toBeUndefined();
  });

  it("adds up repeated lines of one product before checking stock", async () => {
    const product = await aProduct(t, { quantity: 3 });
    const response = await reserve(t, randomUUID(), [
      { productId: product.id, quantity: 2 },
      { productId: product.id, quantity: 2 },
    ]);
    expect(response.status).toBe(409);
    expect(response.body.shortItems).toEqual([
      { productId: product.id, requested: 4, available: 3 },
    ]);
  });

  it("returns 422 PRODUCT_NOT_FOUND listing the unknown products", async () => {
    const product = await aProduct(t, { quantity: 3 });
    const unknown = randomUUID();
    const response = await reserve(t, randomUUID(), [
      { productId: product.id, quantity: 1 },
      { productId: unknown, quantity: 1 },
    ]);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "PRODUCT_NOT_FOUND",
      missingProductIds: [unknown],
    });
    expect((await stockOf(t, product.id)).quantity).toBe(3);
  });

  it("returns 400 VALIDATION_FAILED for a bad body", async () => {
    for (const body of [
      {},
      { reservationId: "x", items: [] },
      { reservationId: randomUUID(), items: [{ productId: randomUUID(), quantity: 0 }] },
    ]) {
      const response = await call(t.url, "POST", "/internal/v1/reservations", {
        token: INTERNAL_TOKEN,
        body,
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_FAILED");
    }
  });

  it("returns 401 without service credentials, also for a user's admin token", async () => {
    const body = { reservationId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] };
    expect((await call(t.url, "POST", "/internal/v1/reservations", { body })).status).toBe(401);
    const admin = await call(t.url, "POST", "/internal/v1/reservations", {
      token: t.adminToken,
      body,
    });
    expect(admin.status).toBe(401);
    expect(admin.body.code).toBe("UNAUTHENTICATED");
  });

  it("shows the new availableQuantity on a cached read right after a reservation", async () => {
    const product = await aProduct(t, { quantity: 9 });
    expect(await availableOf(t, product.id)).toBe(9);
    expect((await call(t.url, "GET", "/api/v1/products?limit=3")).body.items[0]).toMatchObject({
      id: product.id,
      availableQuantity: 9,
    });
    await reserve(t, randomUUID(), [{ productId: product.id, quantity: 4 }]);
    expect((await call(t.url, "GET", `/api/v1/products/${product.id}`)).body).toMatchObject({
      availableQuantity: 5,
      stockVersion: 1,
    });
    expect((await call(t.url, "GET", "/api/v1/products?limit=3")).body.items[0]).toMatchObject({
      id: product.id,
      availableQuantity: 5,
    });
  });

  it("counts reservations by outcome in /metrics", async () => {
    const reserved = { outcome: "reserved" };
    const outOfStock = { outcome: "out_of_stock" };
    const before = {
      reserved: await metricValue(t.url, "catalog_reservations_total", reserved),
      outOfStock: await metricValue(t.url, "catalog_reservations_total", outOfStock),
    };
    const product = await aProduct(t, { quantity: 1 });

    await reserve(t, randomUUID(), [{ productId: product.id, quantity: 1 }]);
    await reserve(t, randomUUID(), [{ productId: product.id, quantity: 1 }]);

    expect(await metricValue(t.url, "catalog_reservations_total", reserved)).toBe(
      before.reserved + 1,
    );
    expect(await metricValue(t.url, "catalog_reservations_total", outOfStock)).toBe(
      before.outOfStock + 1,
    );
  });

  it("retries a reservation whose stock version moved underneath it, and counts the retry", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const retriesBefore = await metricValue(t.url, "catalog_stock_version_conflict_retries_total");
    const writer = await holdStockRow(t, product.id);

    const pending = reserve(t, randomUUID(), [{ productId: product.id, quantity: 2 }]);
    await writer.waitForBlocked();
    await writer.bumpVersionAndCommit();
    const response = await pending;

    expect(response.status).toBe(201);
    expect(await metricValue(t.url, "catalog_stock_version_conflict_retries_total")).toBe(
      retriesBefore + 1,
    );
    // The writer's version, then the retried reservation's.
    expect(await stockOf(t, product.id)).toEqual({ quantity: 3, version: 2 });
  });
});

describe("POST /internal/v1/reservations when the retries run out", () => {
  let c: TestCatalog;

  beforeAll(async () => {
    // One attempt: any version conflict gives up. A pool of 4 keeps later requests waiting for a
    // connection, so they read the stock only after the conflicting writer has committed.
    c = await startTestCatalog({ RESERVATION_MAX_ATTEMPTS: "1", DATABASE_POOL_SIZE: "4" });
  });

  afterAll(async () => {
    await c?.close();
  });

  it("answers 503 STOCK_CONTENTION with Retry-After to the losers, stores nothing for them, and never oversells", async () => {
    const product = await aProduct(c, { quantity: 50 });
    const reservationIds = Array.from({ length: 12 }, () => randomUUID());
    const writer = await holdStockRow(c, product.id);

    const pending = Promise.all(
      reservationIds.map((id) => reserve(c, id, [{ productId: product.id, quantity: 1 }])),
    );
    await writer.waitForBlocked();
    await writer.bumpVersionAndCommit();
    const results = await pending;

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

describe("confirm and release", () => {
  async function aReservation(quantity = 2) {
    const product = await aProduct(t, { quantity: 10 });
    const reservationId = randomUUID();
    const response = await reserve(t, reservationId, [{ productId: product.id, quantity }]);
    expect(response.status).toBe(201);
    return { product, reservationId };
  }

  it("confirms once and answers the same on a repeat", async () => {
    const { reservationId } = await aReservation();
    const first = await call(t.url, "POST", `/internal/v1/reservations/${reservationId}/confirm`, {
      token: INTERNAL_TOKEN,
    });
    const again = await call(t.url, "POST", `/internal/v1/reservations/${reservationId}/confirm`, {
      token: INTERNAL_TOKEN,
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ reservationId, status: "CONFIRMED" });
    expect(again.body).toEqual(first.body);
  });

  it("returns the stock once when release is called twice, also concurrently", async () => {
    const { product, reservationId } = await aReservation(3);
    expect((await stockOf(t, product.id)).quantity).toBe(7);
    const results = await Promise.all(
      [1, 2].map(() =>
        call(t.url, "POST", `/internal/v1/reservations/${reservationId}/release`, {
          token: INTERNAL_TOKEN,
        }),
      ),
    );
    for (const r of results)
      expect(r).toMatchObject({ status: 200, body: { reservationId, status: "RELEASED" } });
    const third = await call(t.url, "POST", `/internal/v1/reservations/${reservationId}/release`, {
      token: INTERNAL_TOKEN,
    });
    expect(third.status).toBe(200);
    expect((await stockOf(t, product.id)).quantity).toBe(10);
    expect(await availableOf(t, product.id)).toBe(10);
  });

  it("answers 409 RESERVATION_CONFIRMED and keeps the stock held when asked to release a confirmed reservation", async () => {
    const { product, reservationId } = await aReservation(4);
    await call(t.url, "POST", `/internal/v1/reservations/${reservationId}/confirm`, {
      token: INTERNAL_TOKEN,
    });
    const refused = await call(
      t.url,
      "POST",
      `/internal/v1/reservations/${reservationId}/release`,
      { token: INTERNAL_TOKEN },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("RESERVATION_CONFIRMED");
    expect(await reservationStatus(t, reservationId)).toBe("CONFIRMED");
    // Only the order's own cancellation (ORDER_CANCELLED, see orderEvents.test.ts) returns it.
    expect((await stockOf(t, product.id)).quantity).toBe(6);
  });

  it("returns 409 RESERVATION_RELEASED when confirming a released reservation", async () => {
    const { reservationId } = await aReservation();
    await call(t.url, "POST", `/internal/v1/reservations/${reservationId}/release`, {
      token: INTERNAL_TOKEN,
    });
    const response = await call(
      t.url,
      "POST",
      `/internal/v1/reservations/${reservationId}/confirm`,
      { token: INTERNAL_TOKEN },
    );
    expect(response.status).toBe(409);
    expect(response.body.code).toBe("RESERVATION_RELEASED");
  });

  it("returns 404 RESERVATION_NOT_FOUND for unknown ids and 401 without credentials", async () => {
    for (const action of ["confirm", "release"]) {
      const unknown = await call(
        t.url,
        "POST",
        `/internal/v1/reservations/${randomUUID()}/${action}`,
        { token: INTERNAL_TOKEN },
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("RESERVATION_NOT_FOUND");
      expect(
        (
          await call(t.url, "POST", `/internal/v1/reservations/not-a-uuid/${action}`, {
            token: INTERNAL_TOKEN,
          })
        ).status,
      ).toBe(404);
      expect(
        (await call(t.url, "POST", `/internal/v1/reservations/${randomUUID()}/${action}`)).status,
      ).toBe(401);
    }
  });
});
