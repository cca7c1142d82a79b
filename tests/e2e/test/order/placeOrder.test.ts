import { randomUUID } from "node:crypto";
import { metricValue } from "@app/shared/testing";
import { call, systemForFile } from "./support/system";

const s = systemForFile();

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
