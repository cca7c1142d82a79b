import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { testServers, waitFor } from "@app/shared/testing";
import { startSystem, type TestSystem } from "./support/system";

// How long an Idempotency-Key keeps its answer (IDEMPOTENCY_TTL_HOURS, 24 h by default), on the
// real paths: the order service runs on a clock the test sets, so "23 h later" needs no waiting;
// only the Redis copy's own expiry runs in real time, on a TTL of 2 s the service computed.
const HOUR = 3600_000;

/** A clock that stands still where the test puts it. */
function settableClock() {
  let current = new Date();
  return { now: () => new Date(current), set: (at: Date) => void (current = at) };
}

let s: TestSystem;
let redis: Redis;
const clock = settableClock();
// No maintenance loop: its purge must not remove a key the test expects still there.
const NO_PURGE = { RECOVERY_ENABLED: "false" };
// Nothing listens on port 1: an order service without Redis, where the database alone decides.
const WITHOUT_REDIS = { ...NO_PURGE, REDIS_URL: "redis://127.0.0.1:1" };
const WITH_REDIS = () => ({ ...NO_PURGE, REDIS_URL: testServers().redisUrl });

beforeAll(async () => {
  s = await startSystem({ orderEnv: WITHOUT_REDIS, orderOptions: { clock } });
  redis = new Redis(testServers().redisUrl, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await s?.close();
});

async function keyCreatedAt(userId: string): Promise<Date> {
  const rows: { created_at: Date }[] = await s.sql.query(
    "SELECT created_at FROM idempotency_keys WHERE user_id = ?",
    [userId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.created_at;
}

/** Places an order now and returns its request, its 201 answer and when its key was created. */
async function aFirstPlacementNow() {
  clock.set(new Date());
  const request = await s.anOrderRequest({ product: { quantity: 10 } });
  const first = await s.placeOrder(request.token, request.key, request.body);
  expect(first.status).toBe(201);
  return { ...request, first, createdAt: await keyCreatedAt(request.userId) };
}

describe("an Idempotency-Key in the database alone (Redis down)", () => {
  it("replays 23 h after the placement and, 25 h after it, places a new order over the row the purge has not removed yet", async () => {
    const { userId, token, key, body, first, createdAt } = await aFirstPlacementNow();

    clock.set(new Date(createdAt.getTime() + 23 * HOUR));
    const replay = await s.placeOrder(token, key, body);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);

    // Past retention, and no purge has run: the finished row is still there...
    clock.set(new Date(createdAt.getTime() + 25 * HOUR));
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(1);
    // ...and the claim treats it as absent: a new placement, not a replay.
    const fresh = await s.placeOrder(token, key, body);
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(fresh.body.id).not.toBe(first.body.id);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(2);
    expect((await keyCreatedAt(userId)).getTime()).toBe(createdAt.getTime() + 25 * HOUR);

    // The new placement starts a retention of its own.
    clock.set(new Date(createdAt.getTime() + 48 * HOUR));
    const again = await s.placeOrder(token, key, body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(fresh.body.id);
  });

  it("a different request under a key within retention is still refused 422 at 23 h", async () => {
    clock.set(new Date());
    const product = await s.aProduct({ quantity: 10 });
    const { userId, token } = s.aCustomer();
    const key = randomUUID();
    expect(
      (await s.placeOrder(token, key, { items: [{ productId: product.id, quantity: 1 }] })).status,
    ).toBe(201);
    clock.set(new Date((await keyCreatedAt(userId)).getTime() + 23 * HOUR));
    const other = await s.placeOrder(token, key, {
      items: [{ productId: product.id, quantity: 2 }],
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});

describe("the Redis copy of an answer", () => {
  it("lives only as long as the key's retention has left, expires by its TTL, and the database answers after it", async () => {
    // Placed while the copy could not be written (Redis down), as after an outage.
    await s.restartOrder(WITHOUT_REDIS, { clock });
    const { userId, token, key, body, first, createdAt } = await aFirstPlacementNow();
    await s.restartOrder(WITH_REDIS(), { clock });

    // 2 s before the retention ends, a replay from the database writes the copy for what is left.
    clock.set(new Date(createdAt.getTime() + 24 * HOUR - 2000));
    const replay = await s.placeOrder(token, key, body);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    const copy = `${s.orderEnv.REDIS_KEY_PREFIX}idem:response:${userId}:${key}`;
    const ttl = await redis.ttl(copy);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2);

    // Redis drops it by itself; the key is still within retention (the clock stands still), so
    // the database record replays the same order and the copy is written again.
    await waitFor(async () => (await redis.exists(copy)) === 0, {
      what: "the copy to expire",
      timeoutMs: 30_000,
    });
    const afterExpiry = await s.placeOrder(token, key, body);
    expect(afterExpiry.headers.get("idempotent-replayed")).toBe("true");
    expect(afterExpiry.body).toEqual(first.body);
    expect(await redis.exists(copy)).toBe(1);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
  });
});
