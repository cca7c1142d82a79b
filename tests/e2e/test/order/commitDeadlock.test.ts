import { randomUUID } from "node:crypto";
import { waitFor, waitForLockWaits } from "@app/shared/testing";
import { call, systemForFile } from "./support/system";

// The placement's commit sends its writes together (the order, its lines, its event, the key's
// answer). A deadlock on the first rolls the transaction back, and the server then runs the
// ones queued behind it on their own: none of them may stay.

let beforeCommit: (() => Promise<void>) | undefined;
const s = systemForFile({
  orderOptions: { hooks: { beforeCommit: async () => beforeCommit?.() } },
});

describe("a placement whose commit loses a deadlock on its order's insert", () => {
  it("leaves no event and no completed key behind, and a retry of the key places the order", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
      quantity: 1,
    });
    const other = await s.sql.getConnection();
    try {
      beforeCommit = async () => {
        beforeCommit = undefined;
        await other.beginTransaction();
        // InnoDB rolls back the transaction that changed less: these rows make this one the winner.
        await other.batch(
          "INSERT INTO abandoned_reservations (reservation_id, created_at) VALUES (?, ?)",
          Array.from({ length: 500 }, () => [randomUUID(), new Date()]),
        );
        // Every gap of the orders index: the placement's insert of its order waits here.
        await other.query("SELECT id FROM orders FOR UPDATE");
      };
      const pending = s.placeOrder(token, key, body);
      await waitForLockWaits(s.sql, s.orderDb.name);
      // The placement holds its key's row: asking for it closes the cycle, and InnoDB rolls the
      // placement's transaction back.
      await other.query(
        "SELECT state FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? FOR UPDATE",
        [userId, key],
      );
      await other.rollback();
      // The placement is undone (stock back, key free), and the answer says to retry the key.
      const first = await pending;
      expect(first.status).toBe(503);
      expect(first.headers.get("retry-after")).toBe("1");
      expect(first.body).toMatchObject({ status: 503, code: "BUSY" });
    } finally {
      beforeCommit = undefined;
      await other.release();
    }

    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(await s.countRows("outbox_events", "aggregate_id NOT IN (SELECT id FROM orders)")).toBe(
      0,
    );
    expect(
      await s.countRows("idempotency_keys", "user_id = ? AND state = 'COMPLETED'", [userId]),
    ).toBe(0);

    const retry = await s.placeOrder(token, key, body);
    expect(retry.status).toBe(201);
    const read = await call(s.orderUrl, "GET", `/api/v1/orders/${retry.body.id}`, { token });
    expect(read.status).toBe(200);
    expect(await s.countRows("outbox_events", "aggregate_id = ?", [retry.body.id])).toBe(1);
    // The first attempt's reservation went back; the retry holds one unit.
    await waitFor(async () => (await s.availableOf(product.id)) === 9, {
      what: "the stock to show the retry's unit only",
    });
  });
});
