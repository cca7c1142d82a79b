import { randomUUID } from "node:crypto";
import { metricValue } from "@app/shared/testing";
import { call, deleteRedisKeys, startSystem, type TestSystem } from "./support/system";

let s: TestSystem;
/** Armed by a test to hold a placement between payment and commit; no-op otherwise. */
let holdBeforeCommit: ((reservationId: string) => Promise<void>) | undefined;

beforeAll(async () => {
  s = await startSystem({
    orderOptions: { hooks: { beforeCommit: async (id) => holdBeforeCommit?.(id) } },
  });
});

afterAll(async () => {
  await s?.close();
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("POST /api/v1/orders", () => {
  it("creates the order with catalog prices, and writes its items and a READY outbox row carrying the request id", async () => {
    const product = await s.aProduct({ price: 1250, quantity: 10 });
    const { userId, token } = s.aCustomer();
    const response = await call(s.orderUrl, "POST", "/api/v1/orders", {
      token,
      body: { items: [{ productId: product.id, quantity: 3 }] },
      headers: { "idempotency-key": randomUUID(), "x-request-id": "req-place-1" },
    });

    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe(`/api/v1/orders/${response.body.id}`);
    expect(response.headers.get("idempotent-replayed")).toBeNull();
    expect(response.body).toMatchObject({
      userId,
      status: "CREATED",
      totalAmount: 3750,
      currency: "EUR",
      items: [
        {
          productId: product.id,
          sku: product.sku,
          name: product.name,
          unitPrice: 1250,
          quantity: 3,
          lineTotal: 3750,
        },
      ],
    });
    expect(await s.availableOf(product.id)).toBe(7);

    const [order] = await s.sql.query(
      "SELECT user_id, status, total_amount, reservation_id FROM orders WHERE id = ?",
      [response.body.id],
    );
    expect(order).toMatchObject({ user_id: userId, status: "CREATED", total_amount: 3750 });
    const items = await s.sql.query(
      "SELECT product_id, unit_price, quantity, line_total FROM order_items WHERE order_id = ?",
      [response.body.id],
    );
    expect(items).toEqual([
      { product_id: product.id, unit_price: 1250, quantity: 3, line_total: 3750 },
    ]);
    const [event] = await s.sql.query(
      "SELECT event_type, aggregate_type, status, request_id, payload FROM outbox_events WHERE aggregate_id = ?",
      [response.body.id],
    );
    expect(event).toMatchObject({
      event_type: "ORDER_CREATED",
      aggregate_type: "order",
      status: "READY",
      request_id: "req-place-1",
    });
    const payload = typeof event.payload === "string" ? JSON.parse(event.payload) : event.payload;
    expect(payload).toMatchObject({ ...response.body, reservationId: order.reservation_id });
  });

  it("replays the first answer for the same key and body: one order, one decrement, Idempotent-Replayed: true", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
      quantity: 2,
    });

    const first = await s.placeOrder(token, key, body);
    const second = await s.placeOrder(token, key, body);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(second.body).toEqual(first.body);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
    expect(await s.availableOf(product.id)).toBe(8);
  });

  it("replays the first answer byte for byte from the database, which keeps it as the text that was sent", async () => {
    const product = await s.aProduct({ quantity: 10 });
    const { userId, token } = s.aCustomer();
    const key = randomUUID();
    const send = () =>
      fetch(`${s.orderUrl}/api/v1/orders`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify({ items: [{ productId: product.id, quantity: 1 }] }),
      });

    const first = await send();
    const firstText = await first.text();
    // Without the Redis copy the replay can only come from idempotency_keys.
    await deleteRedisKeys(s.orderEnv.REDIS_KEY_PREFIX!);
    const second = await send();

    expect(first.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.text()).toBe(firstText);
    const [row] = await s.sql.query(
      "SELECT response_body FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ?",
      [userId, key],
    );
    expect(row.response_body).toBe(firstText);
  });

  it("with 8 concurrent requests on one key creates one order; the others are replayed or 409 IDEMPOTENCY_KEY_IN_USE", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 20 },
    });

    const responses = await Promise.all(
      Array.from({ length: 8 }, () => s.placeOrder(token, key, body)),
    );

    const created = responses.filter(
      (r) => r.status === 201 && r.headers.get("idempotent-replayed") === null,
    );
    const replayed = responses.filter(
      (r) => r.status === 201 && r.headers.get("idempotent-replayed") === "true",
    );
    const inUse = responses.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(replayed.length + inUse.length).toBe(7);
    for (const r of inUse) {
      expect(r.body.code).toBe("IDEMPOTENCY_KEY_IN_USE");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    for (const r of replayed) expect(r.body.id).toBe(created[0]!.body.id);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
    expect(await s.availableOf(product.id)).toBe(19);
  });

  it("answers 409 IDEMPOTENCY_KEY_IN_USE with Retry-After while the first request with the key is still running, even with Redis flushed, then replays its order", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
    });
    const conflictsBefore = await metricValue(
      s.orderUrl,
      "order_idempotency_in_flight_conflicts_total",
    );
    const atCommit = deferred<string>();
    const letCommit = deferred();
    holdBeforeCommit = async (reservationId) => {
      holdBeforeCommit = undefined;
      atCommit.resolve(reservationId);
      await letCommit.promise;
    };
    try {
      const first = s.placeOrder(token, key, body);
      await atCommit.promise;

      const whileRunning = await s.placeOrder(token, key, body);
      // Without the Redis lock the database record alone refuses it.
      await deleteRedisKeys(s.orderEnv.REDIS_KEY_PREFIX!);
      const withoutRedis = await s.placeOrder(token, key, body);

      for (const response of [whileRunning, withoutRedis]) {
        expect([response.status, response.body.code]).toEqual([409, "IDEMPOTENCY_KEY_IN_USE"]);
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
      expect(await metricValue(s.orderUrl, "order_idempotency_in_flight_conflicts_total")).toBe(
        conflictsBefore + 2,
      );

      letCommit.resolve();
      const created = await first;
      const replayed = await s.placeOrder(token, key, body);

      expect(created.status).toBe(201);
      expect(created.headers.get("idempotent-replayed")).toBeNull();
      expect(replayed.status).toBe(201);
      expect(replayed.headers.get("idempotent-replayed")).toBe("true");
      expect(replayed.body).toEqual(created.body);
      expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
      expect(await s.availableOf(product.id)).toBe(9);
    } finally {
      holdBeforeCommit = undefined;
      letCommit.resolve();
    }
  });

  it("answers 422 IDEMPOTENCY_KEY_REUSED when the key comes back with another body, and changes nothing", async () => {
    const product = await s.aProduct({ quantity: 10 });
    const { userId, token } = s.aCustomer();
    const key = randomUUID();
    await s.placeOrder(token, key, { items: [{ productId: product.id, quantity: 1 }] });

    const reused = await s.placeOrder(token, key, {
      items: [{ productId: product.id, quantity: 2 }],
    });

    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
    expect(await s.availableOf(product.id)).toBe(9);
  });

  it("answers 400 IDEMPOTENCY_KEY_MISSING without a key and 400 VALIDATION_FAILED for a key that is not visible ASCII", async () => {
    const product = await s.aProduct();
    const { userId, token } = s.aCustomer();
    const body = { items: [{ productId: product.id, quantity: 1 }] };

    const missing = await s.placeOrder(token, undefined, body);
    const tooLong = await s.placeOrder(token, "k".repeat(256), body);
    const withSpace = await s.placeOrder(token, "has space", body);

    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe("IDEMPOTENCY_KEY_MISSING");
    expect([tooLong.status, tooLong.body.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect([withSpace.status, withSpace.body.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
  });

  it("scopes keys to the user: two users with the same key get two orders", async () => {
    const product = await s.aProduct({ quantity: 10 });
    const key = randomUUID();
    const body = { items: [{ productId: product.id, quantity: 1 }] };

    const a = await s.placeOrder(s.aCustomer().token, key, body);
    const b = await s.placeOrder(s.aCustomer().token, key, body);

    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(a.body.id).not.toBe(b.body.id);
    expect(await s.availableOf(product.id)).toBe(8);
  });

  it("creates 5 orders and answers 5 OUT_OF_STOCK when 10 customers race for 5 units, leaving stock at 0", async () => {
    const product = await s.aProduct({ quantity: 5 });
    const body = { items: [{ productId: product.id, quantity: 1 }] };

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => s.placeOrder(s.aCustomer().token, randomUUID(), body)),
    );

    expect(responses.filter((r) => r.status === 201)).toHaveLength(5);
    const outOfStock = responses.filter((r) => r.status === 409);
    expect(outOfStock).toHaveLength(5);
    for (const r of outOfStock)
      expect(r.body).toMatchObject({
        code: "OUT_OF_STOCK",
        shortItems: [{ productId: product.id, requested: 1 }],
      });
    expect(await s.availableOf(product.id)).toBe(0);
    expect(await s.countRows("order_items", "product_id = ?", [product.id])).toBe(5);
  });

  it("stores OUT_OF_STOCK as the key's final answer and replays it even after stock arrives", async () => {
    const { product, token, key, body } = await s.anOrderRequest({
      product: { quantity: 1 },
      quantity: 2,
    });

    const first = await s.placeOrder(token, key, body);
    const read = await call(s.catalogUrl, "GET", `/api/v1/products/${product.id}`);
    const restocked = await call(s.catalogUrl, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: s.adminToken,
      headers: { "if-match": read.headers.get("etag")! },
      body: { quantity: 50 },
    });
    expect(restocked.status).toBe(200);
    const again = await s.placeOrder(token, key, body);

    expect(first.status).toBe(409);
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await s.availableOf(product.id)).toBe(50);
  });

  it("answers 422 PRODUCT_NOT_FOUND naming the unknown products, reserving nothing", async () => {
    const product = await s.aProduct({ quantity: 4 });
    const unknown = randomUUID();

    const response = await s.placeOrder(s.aCustomer().token, randomUUID(), {
      items: [
        { productId: product.id, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ],
    });

    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "PRODUCT_NOT_FOUND",
      missingProductIds: [unknown],
    });
    expect(await s.availableOf(product.id)).toBe(4);
  });

  it("stores PRODUCT_NOT_FOUND as the key's final answer and replays it, from Redis and from the database", async () => {
    const product = await s.aProduct({ quantity: 4 });
    const { userId, token } = s.aCustomer();
    const key = randomUUID();
    const body = {
      items: [
        { productId: product.id, quantity: 1 },
        { productId: randomUUID(), quantity: 1 },
      ],
    };

    const first = await s.placeOrder(token, key, body);
    const replayed = await s.placeOrder(token, key, body);
    await deleteRedisKeys(s.orderEnv.REDIS_KEY_PREFIX!);
    const fromDatabase = await s.placeOrder(token, key, body);

    expect([first.status, first.body.code]).toEqual([422, "PRODUCT_NOT_FOUND"]);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    for (const again of [replayed, fromDatabase]) {
      expect(again.status).toBe(422);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.headers.get("content-type")).toContain("application/problem+json");
      expect(again.body).toEqual(first.body);
    }
    expect(
      await s.countRows("idempotency_keys", "user_id = ? AND state = 'COMPLETED'", [userId]),
    ).toBe(1);
    expect(await s.availableOf(product.id)).toBe(4);
  });

  it("still creates one order when Redis is flushed between two identical requests", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
    });

    const first = await s.placeOrder(token, key, body);
    expect(await deleteRedisKeys(s.orderEnv.REDIS_KEY_PREFIX!)).toBeGreaterThan(0);
    const second = await s.placeOrder(token, key, body);

    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.id).toBe(first.body.id);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
    expect(await s.availableOf(product.id)).toBe(9);
  });

  it.each([
    ["no items", { items: [] }],
    [
      "51 lines",
      { items: Array.from({ length: 51 }, () => ({ productId: randomUUID(), quantity: 1 })) },
    ],
    ["quantity 0", { items: [{ productId: randomUUID(), quantity: 0 }] }],
    ["quantity 1001", { items: [{ productId: randomUUID(), quantity: 1001 }] }],
    ["a product id that is not a UUID", { items: [{ productId: "mug", quantity: 1 }] }],
    [
      "the same product on two lines",
      {
        items: [
          { productId: "6f1c1f7e-8a43-4b0e-9d7e-2f4c1b1a0c11", quantity: 1 },
          { productId: "6f1c1f7e-8a43-4b0e-9d7e-2f4c1b1a0c11", quantity: 2 },
        ],
      },
    ],
    ["an unknown field", { items: [{ productId: randomUUID(), quantity: 1 }], coupon: "FREE" }],
  ])(
    "answers 400 VALIDATION_FAILED for %s and stores nothing against the key",
    async (_name, body) => {
      const { userId, token } = s.aCustomer();
      const response = await s.placeOrder(token, randomUUID(), body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_FAILED");
      expect(response.body.errors.length).toBeGreaterThan(0);
      expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
    },
  );

  it("answers 401 UNAUTHENTICATED without a valid token", async () => {
    const none = await s.placeOrder("", randomUUID(), { items: [] });
    const forged = await s.placeOrder("not.a.jwt", randomUUID(), { items: [] });
    expect([none.status, none.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect([forged.status, forged.body.code]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("frees a finished key once its retention has passed: the purge deletes it and the key places a new order", async () => {
    const { userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
    });
    const first = await s.placeOrder(token, key, body);
    await s.sql.query(
      "UPDATE idempotency_keys SET created_at = NOW(3) - INTERVAL 25 HOUR WHERE user_id = ?",
      [userId],
    );

    expect(await s.order.purgeKeysOnce()).toBeGreaterThanOrEqual(1);
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
    await deleteRedisKeys(s.orderEnv.REDIS_KEY_PREFIX!);
    const later = await s.placeOrder(token, key, body);

    expect(later.status).toBe(201);
    expect(later.headers.get("idempotent-replayed")).toBeNull();
    expect(later.body.id).not.toBe(first.body.id);
  });

  it("counts placements by outcome, replays and placement durations in /metrics, beside the catalog breaker state", async () => {
    const created = { outcome: "created" };
    const before = {
      placed: await metricValue(s.orderUrl, "order_placements_total", created),
      replays: await metricValue(s.orderUrl, "order_idempotent_replays_total"),
      timed: await metricValue(s.orderUrl, "order_placement_duration_seconds_count", created),
    };
    const { token, key, body } = await s.anOrderRequest({ product: { quantity: 10 } });

    expect((await s.placeOrder(token, key, body)).status).toBe(201);
    expect((await s.placeOrder(token, key, body)).status).toBe(201);

    expect(await metricValue(s.orderUrl, "order_placements_total", created)).toBe(
      before.placed + 1,
    );
    expect(await metricValue(s.orderUrl, "order_idempotent_replays_total")).toBe(
      before.replays + 1,
    );
    expect(await metricValue(s.orderUrl, "order_placement_duration_seconds_count", created)).toBe(
      before.timed + 1,
    );
    const metrics = await call(s.orderUrl, "GET", "/metrics");
    expect(metrics.body).toMatch(
      /order_circuit_breaker_state\{breaker="catalog",state="closed"\} 1/,
    );
    expect(metrics.body).toMatch(/order_circuit_breaker_state\{breaker="catalog",state="open"\} 0/);
  });
});

describe("operations", () => {
  it("serves readiness, liveness and an OpenAPI 3.1 document naming every route", async () => {
    const ready = await call(s.orderUrl, "GET", "/health/ready");
    const live = await call(s.orderUrl, "GET", "/health/live");
    const openapi = await call(s.orderUrl, "GET", "/openapi.json");
    expect([ready.status, ready.body.checks.database.status]).toEqual([200, "ok"]);
    expect(live.status).toBe(200);
    expect(openapi.body.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.body.paths).sort()).toEqual([
      "/api/v1/orders",
      "/api/v1/orders/{id}",
      "/api/v1/orders/{id}/cancel",
      "/api/v1/orders/{id}/complete",
      "/internal/v1/reservations/{reservationId}/abandon",
      "/internal/v1/reservations/{reservationId}/order",
    ]);
  });

  it("echoes a sane X-Request-Id and answers unknown routes with a 404 problem", async () => {
    const response = await call(s.orderUrl, "GET", "/api/v1/nothing-here", {
      headers: { "x-request-id": "req-echo-1" },
    });
    expect(response.headers.get("x-request-id")).toBe("req-echo-1");
    expect([response.status, response.body.code, response.body.requestId]).toEqual([
      404,
      "NOT_FOUND",
      "req-echo-1",
    ]);
  });
});
