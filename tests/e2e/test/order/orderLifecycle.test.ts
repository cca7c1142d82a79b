import { randomUUID } from "node:crypto";
import { KafkaClient } from "@app/shared";
import { testServers, uniqueName, waitFor } from "@app/shared/testing";
import { startOutboxCopier, type OutboxCopier } from "./support/outboxCopier";
import { call, SERVICE_TOKEN, startSystem, type TestSystem } from "./support/system";

let s: TestSystem;
let copier: OutboxCopier;
const topic = uniqueName("order_events");

beforeAll(async () => {
  // The catalog consumes the order events for real: confirm on ORDER_CREATED, release on ORDER_CANCELLED.
  s = await startSystem({
    catalogEnv: {
      RESERVATION_CONSUMER_ENABLED: "true",
      ORDER_EVENTS_TOPIC: topic,
      KAFKA_GROUP_ID: uniqueName("catalog"),
    },
  });
  copier = await startOutboxCopier(s.sql, testServers().kafkaBrokers, topic);
});

afterAll(async () => {
  await copier?.stop();
  await s?.close();
  await new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "order-test-cleanup" })
    .deleteTopics([topic, `${topic}.dlq`])
    .catch(() => undefined);
});

async function anOrder(token: string, quantity = 1, productQuantity = 10) {
  const product = await s.aProduct({ quantity: productQuantity });
  const placed = await s.placeOrder(token, randomUUID(), {
    items: [{ productId: product.id, quantity }],
  });
  if (placed.status !== 201) throw new Error(`placement failed: ${placed.status}`);
  return { product, order: placed.body };
}

async function catalogEventCount(outcome: string, eventType: string): Promise<number> {
  const metrics = await call(s.catalogUrl, "GET", "/metrics");
  const match = new RegExp(
    `catalog_events_total\\{[^}]*outcome="${outcome}"[^}]*event_type="${eventType}"[^}]*\\} (\\d+)`,
  ).exec(metrics.body as string);
  return match ? Number(match[1]) : 0;
}

/**
 * What an archiver chunk does: copy the orders and their items to the archive tables and delete
 * the live rows, in one transaction.
 */
async function archive(...orderIds: string[]): Promise<void> {
  const conn = await s.sql.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query(
      "INSERT INTO orders_archive (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) SELECT id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at FROM orders WHERE id IN (?)",
      [orderIds],
    );
    await conn.query(
      "INSERT INTO order_items_archive SELECT id, order_id, product_id, sku, name, unit_price, quantity, line_total FROM order_items WHERE order_id IN (?)",
      [orderIds],
    );
    await conn.query("DELETE FROM order_items WHERE order_id IN (?)", [orderIds]);
    await conn.query("DELETE FROM orders WHERE id IN (?)", [orderIds]);
    await conn.commit();
  } catch (error) {
    await conn.rollback();
    throw error;
  } finally {
    await conn.release();
  }
}

describe("GET /api/v1/orders/{id}", () => {
  it("returns the order to its owner and to an admin, and 404 ORDER_NOT_FOUND to another user", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token);

    const own = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, { token });
    const admin = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, {
      token: s.adminToken,
    });
    const stranger = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, {
      token: s.aCustomer().token,
    });

    expect([own.status, admin.status]).toEqual([200, 200]);
    expect(own.body).toEqual(order);
    expect(admin.body).toEqual(order);
    expect([stranger.status, stranger.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
  });

  it("answers 404 for an unknown or malformed id and 401 without a token", async () => {
    const { token } = s.aCustomer();
    const unknown = await call(s.orderUrl, "GET", `/api/v1/orders/${randomUUID()}`, { token });
    const malformed = await call(s.orderUrl, "GET", "/api/v1/orders/abc", { token });
    const anonymous = await call(s.orderUrl, "GET", `/api/v1/orders/${randomUUID()}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
    expect([malformed.status, malformed.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("still returns an archived order, with its items, to its owner only", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token, 2);
    const completed = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, {
      token: s.adminToken,
    });
    await archive(order.id);

    const own = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, { token });
    const stranger = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, {
      token: s.aCustomer().token,
    });

    expect(await s.countRows("orders", "id = ?", [order.id])).toBe(0);
    expect(own.status).toBe(200);
    expect(own.body).toEqual(completed.body);
    expect(stranger.status).toBe(404);
  });
});

describe("GET /api/v1/orders", () => {
  it("lists only the caller's orders, newest first, page by page with an opaque cursor, archived ones included", async () => {
    const { token } = s.aCustomer();
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push((await anOrder(token)).order);
    await anOrder(s.aCustomer().token);
    await call(s.orderUrl, "POST", `/api/v1/orders/${placed[1].id}/complete`, {
      token: s.adminToken,
    });
    await archive(placed[1].id);

    const first = await call(s.orderUrl, "GET", "/api/v1/orders?limit=2", { token });
    const second = await call(
      s.orderUrl,
      "GET",
      `/api/v1/orders?limit=2&cursor=${first.body.nextCursor}`,
      { token },
    );
    const third = await call(
      s.orderUrl,
      "GET",
      `/api/v1/orders?limit=2&cursor=${second.body.nextCursor}`,
      { token },
    );

    const ids = [...first.body.items, ...second.body.items, ...third.body.items].map(
      (o: { id: string }) => o.id,
    );
    expect(ids).toEqual(placed.map((o) => o.id).reverse());
    expect(third.body.nextCursor).toBeNull();
  });

  it("lists every order exactly once, with its items, while the archiver moves them", async () => {
    const { token } = s.aCustomer();
    const product = await s.aProduct({ quantity: 100 });
    const placed = await Promise.all(
      Array.from({ length: 30 }, () =>
        s.placeOrder(token, randomUUID(), { items: [{ productId: product.id, quantity: 1 }] }),
      ),
    );
    const ids = placed.map((p) => p.body.id as string).sort();
    await Promise.all(
      ids.map((id) =>
        call(s.orderUrl, "POST", `/api/v1/orders/${id}/complete`, { token: s.adminToken }),
      ),
    );

    let moving = true;
    const mover = (async () => {
      // One order per chunk, so chunk commits keep landing while the pages are read.
      for (const id of [...ids].reverse()) await archive(id);
      moving = false;
    })();
    const pages: { id: string; items: unknown[] }[][] = [];
    const reader = async () => {
      while (moving) {
        const page = await call(s.orderUrl, "GET", "/api/v1/orders?limit=100", { token });
        expect(page.status).toBe(200);
        pages.push(page.body.items);
      }
    };
    await Promise.all([mover, reader(), reader(), reader()]);

    expect(await s.countRows("orders", "id IN (?)", [ids])).toBe(0);
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) {
      expect(page.map((o) => o.id).sort()).toEqual(ids);
      for (const order of page) expect(order.items).toHaveLength(1);
    }
  });

  it("answers 400 VALIDATION_FAILED for a limit outside 1..100 or a cursor it did not issue", async () => {
    const { token } = s.aCustomer();
    for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=bm9wZQ"]) {
      const response = await call(s.orderUrl, "GET", `/api/v1/orders?${query}`, { token });
      expect([query, response.status, response.body.code]).toEqual([
        query,
        400,
        "VALIDATION_FAILED",
      ]);
    }
  });

  it("answers an empty page to a customer without orders", async () => {
    const response = await call(s.orderUrl, "GET", "/api/v1/orders", {
      token: s.aCustomer().token,
    });
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });
});

describe("POST /api/v1/orders/{id}/cancel", () => {
  it("cancels with one ORDER_CANCELLED event; a second cancel is a 200 no-op; the catalog returns the stock exactly once", async () => {
    const { token } = s.aCustomer();
    const { product, order } = await anOrder(token, 3, 10);
    expect(await s.availableOf(product.id)).toBe(7);

    const cancelled = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/cancel`, {
      token,
      headers: { "x-request-id": "req-cancel-1" },
    });
    const again = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/cancel`, { token });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: order.id, status: "CANCELLED" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(cancelled.body);
    const events = await s.sql.query(
      "SELECT event_type, request_id FROM outbox_events WHERE aggregate_id = ? ORDER BY id",
      [order.id],
    );
    expect(events).toEqual([
      { event_type: "ORDER_CREATED", request_id: expect.any(String) },
      { event_type: "ORDER_CANCELLED", request_id: "req-cancel-1" },
    ]);
    await waitFor(async () => (await s.availableOf(product.id)) === 10, {
      what: "the catalog to release the cancelled order's stock",
    });

    // Kafka delivers at least once: a redelivered ORDER_CANCELLED must not return the stock twice.
    const duplicatesBefore = await catalogEventCount("duplicate", "ORDER_CANCELLED");
    await s.sql.query(
      "UPDATE outbox_events SET status = 'READY' WHERE aggregate_id = ? AND event_type = 'ORDER_CANCELLED'",
      [order.id],
    );
    await waitFor(
      async () => (await catalogEventCount("duplicate", "ORDER_CANCELLED")) > duplicatesBefore,
      { what: "the redelivered event" },
    );
    expect(await s.availableOf(product.id)).toBe(10);
  });

  it("lets an admin cancel anyone's order, hides the order from another customer (404), and refuses a completed one (409)", async () => {
    const { token } = s.aCustomer();
    const first = (await anOrder(token)).order;
    const second = (await anOrder(token)).order;

    const stranger = await call(s.orderUrl, "POST", `/api/v1/orders/${first.id}/cancel`, {
      token: s.aCustomer().token,
    });
    const byAdmin = await call(s.orderUrl, "POST", `/api/v1/orders/${first.id}/cancel`, {
      token: s.adminToken,
    });
    await call(s.orderUrl, "POST", `/api/v1/orders/${second.id}/complete`, { token: s.adminToken });
    const completed = await call(s.orderUrl, "POST", `/api/v1/orders/${second.id}/cancel`, {
      token,
    });

    expect([stranger.status, stranger.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
    expect(
      await s.countRows("outbox_events", "aggregate_id = ? AND event_type = 'ORDER_CANCELLED'", [
        first.id,
      ]),
    ).toBe(1);
    expect([byAdmin.status, byAdmin.body.status]).toEqual([200, "CANCELLED"]);
    expect(completed.status).toBe(409);
    // RFC 9457: `status` is the HTTP status; the order's own status has a member of its own.
    expect(completed.body).toMatchObject({
      status: 409,
      code: "ORDER_NOT_CANCELLABLE",
      orderStatus: "COMPLETED",
    });
    expect(
      await s.countRows("outbox_events", "aggregate_id = ? AND event_type = 'ORDER_CANCELLED'", [
        second.id,
      ]),
    ).toBe(0);
  });

  it("writes one ORDER_CANCELLED however many cancels race", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/cancel`, { token }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(
      await s.countRows("outbox_events", "aggregate_id = ? AND event_type = 'ORDER_CANCELLED'", [
        order.id,
      ]),
    ).toBe(1);
  });

  it("answers 200 without a new event for an archived cancelled order, and 404 for an unknown one", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token);
    await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/cancel`, { token });
    await archive(order.id);

    const archived = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/cancel`, { token });
    const unknown = await call(s.orderUrl, "POST", `/api/v1/orders/${randomUUID()}/cancel`, {
      token,
    });

    expect([archived.status, archived.body.status]).toEqual([200, "CANCELLED"]);
    expect(
      await s.countRows("outbox_events", "aggregate_id = ? AND event_type = 'ORDER_CANCELLED'", [
        order.id,
      ]),
    ).toBe(1);
    expect([unknown.status, unknown.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
  });
});

describe("POST /api/v1/orders/{id}/complete", () => {
  it("completes for an admin with one ORDER_COMPLETED event; again is a 200 no-op", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token);

    const completed = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, {
      token: s.adminToken,
    });
    const again = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, {
      token: s.adminToken,
    });

    expect([completed.status, completed.body.status]).toEqual([200, "COMPLETED"]);
    expect(again.body).toEqual(completed.body);
    expect(
      await s.countRows("outbox_events", "aggregate_id = ? AND event_type = 'ORDER_COMPLETED'", [
        order.id,
      ]),
    ).toBe(1);
  });

  it("answers 404 ORDER_NOT_FOUND for an unknown or malformed order id", async () => {
    const unknown = await call(s.orderUrl, "POST", `/api/v1/orders/${randomUUID()}/complete`, {
      token: s.adminToken,
    });
    const malformed = await call(s.orderUrl, "POST", "/api/v1/orders/abc/complete", {
      token: s.adminToken,
    });

    expect([unknown.status, unknown.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
    expect([malformed.status, malformed.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
  });

  it("answers 403 FORBIDDEN to the owning customer and 409 ORDER_NOT_COMPLETABLE for a cancelled order", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token);

    const byOwner = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, {
      token,
    });
    await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/cancel`, { token });
    const cancelled = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, {
      token: s.adminToken,
    });

    expect([byOwner.status, byOwner.body.code]).toEqual([403, "FORBIDDEN"]);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body).toMatchObject({
      status: 409,
      code: "ORDER_NOT_COMPLETABLE",
      orderStatus: "CANCELLED",
    });
    expect(
      await s.countRows("outbox_events", "aggregate_id = ? AND event_type = 'ORDER_COMPLETED'", [
        order.id,
      ]),
    ).toBe(0);
  });
});

describe("POST /internal/v1/reservations/{id}/abandon (the catalog's sweeper)", () => {
  it("answers ORDER_EXISTS for an archived order whose idempotency key is long purged, and abandons nothing", async () => {
    const { userId, token } = s.aCustomer();
    const { order } = await anOrder(token);
    await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, { token: s.adminToken });
    const [{ reservation_id: reservationId }] = await s.sql.query(
      "SELECT reservation_id FROM orders WHERE id = ?",
      [order.id],
    );
    // Keys are kept 24 hours, orders 30 days before the archiver moves them.
    await s.sql.query(
      "UPDATE idempotency_keys SET created_at = NOW(3) - INTERVAL 25 HOUR WHERE user_id = ?",
      [userId],
    );
    await s.order.purgeKeysOnce();
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
    await archive(order.id);

    const lookup = await call(
      s.orderUrl,
      "POST",
      `/internal/v1/reservations/${reservationId}/abandon`,
      {
        token: SERVICE_TOKEN,
      },
    );

    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({ reservationId, state: "ORDER_EXISTS", orderId: order.id });
    const abandoned = await s.sql.query(
      "SELECT reservation_id FROM abandoned_reservations WHERE reservation_id = ?",
      [reservationId],
    );
    expect(abandoned).toEqual([]);
  });
});
