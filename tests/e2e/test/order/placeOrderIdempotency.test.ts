import { randomUUID } from "node:crypto";
import { metricValue } from "@app/shared/testing";
import { call, deleteRedisKeys, systemForFile } from "./support/system";

/** Armed by a test to hold a placement between payment and commit; no-op otherwise. */
let holdBeforeCommit: ((reservationId: string) => Promise<void>) | undefined;
const s = systemForFile({
  orderOptions: { hooks: { beforeCommit: async (id) => holdBeforeCommit?.(id) } },
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("POST /api/v1/orders with an Idempotency-Key", () => {
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
});
