import { lifecycleSystemForFile } from "./support/lifecycle";
import { call, SERVICE_TOKEN } from "./support/system";

const { system: s, anOrder, archive } = lifecycleSystemForFile();

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
