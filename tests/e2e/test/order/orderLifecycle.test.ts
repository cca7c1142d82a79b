import { randomUUID } from "node:crypto";
import { waitFor } from "@app/shared/testing";
import { lifecycleSystemForFile } from "./support/lifecycle";
import { call } from "./support/system";

const { system: s, anOrder, archive, catalogEventCount } = lifecycleSystemForFile();

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
