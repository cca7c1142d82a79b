import { randomUUID } from "node:crypto";
import { waitFor } from "@app/shared/testing";
import {
  aProduct,
  availableOf,
  call,
  countRows,
  placeOrder,
  startSystem,
  type TestSystem,
} from "./support/system";

let s: TestSystem;

beforeAll(async () => {
  s = await startSystem({
    orderEnv: {
      PAYMENT_DECLINE_ABOVE: "100000",
      BREAKER_TIMEOUT_MS: "1000",
      BREAKER_VOLUME_THRESHOLD: "2",
      BREAKER_ERROR_THRESHOLD_PERCENTAGE: "50",
      BREAKER_RESET_TIMEOUT_MS: "500",
      CATALOG_RETRIES: "1",
      RETRY_BACKOFF_BASE_MS: "10",
    },
  });
});

afterAll(async () => {
  await s?.close();
});

const aCustomer = () => {
  const userId = randomUUID();
  return { userId, token: s.tokenFor(userId) };
};

async function breakerState(name: string): Promise<number> {
  const metrics = await call(s.orderUrl, "GET", "/metrics");
  const match = new RegExp(`circuit_breaker_state\\{[^}]*breaker="${name}"[^}]*\\} (\\d)`).exec(
    metrics.body as string,
  );
  if (!match) throw new Error(`no circuit_breaker_state for ${name}`);
  return Number(match[1]);
}

describe("payment", () => {
  it("answers 402 PAYMENT_DECLINED above the approval limit, returns the stock, writes no order, and replays the decline", async () => {
    const product = await aProduct(s, { price: 60_000, quantity: 5 });
    const { userId, token } = aCustomer();
    const key = randomUUID();
    const body = { items: [{ productId: product.id, quantity: 2 }] };

    const declined = await placeOrder(s, token, key, body);
    const replayed = await placeOrder(s, token, key, body);

    expect(declined.status).toBe(402);
    expect(declined.body.code).toBe("PAYMENT_DECLINED");
    expect(await availableOf(s, product.id)).toBe(5);
    expect(await countRows(s, "orders", "user_id = ?", [userId])).toBe(0);
    expect(await countRows(s, "outbox_events")).toBe(0);
    expect(replayed.status).toBe(402);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body).toEqual(declined.body);
  });

  it("approves a total at the limit", async () => {
    const product = await aProduct(s, { price: 50_000, quantity: 5 });
    const response = await placeOrder(s, aCustomer().token, randomUUID(), {
      items: [{ productId: product.id, quantity: 2 }],
    });
    expect(response.status).toBe(201);
    expect(response.body.totalAmount).toBe(100_000);
  });
});

describe("catalog unavailable", () => {
  it("answers 503 DEPENDENCY_UNAVAILABLE with Retry-After and writes nothing; the breaker opens, then recovers and the same key succeeds", async () => {
    const product = await aProduct(s, { quantity: 10 });
    const { userId, token } = aCustomer();
    const key = randomUUID();
    const body = { items: [{ productId: product.id, quantity: 1 }] };
    const ordersBefore = await countRows(s, "orders");
    const eventsBefore = await countRows(s, "outbox_events");

    s.catalogLink.down();
    const failures = [];
    for (let i = 0; i < 4; i++) failures.push(await placeOrder(s, token, key, body));

    for (const failure of failures) {
      expect(failure.status).toBe(503);
      expect(failure.body.code).toBe("DEPENDENCY_UNAVAILABLE");
      expect(Number(failure.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(await breakerState("catalog")).toBe(2);
    expect(await countRows(s, "orders")).toBe(ordersBefore);
    expect(await countRows(s, "outbox_events")).toBe(eventsBefore);
    // A transient failure is not stored: the key stays free for the retry.
    expect(await countRows(s, "idempotency_keys", "user_id = ?", [userId])).toBe(0);

    s.catalogLink.up();
    const recovered = await waitFor(
      async () => {
        const attempt = await placeOrder(s, token, key, body);
        return attempt.status === 201 ? attempt : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: "a placement through the recovered breaker" },
    );

    expect(recovered.headers.get("idempotent-replayed")).toBeNull();
    expect(await breakerState("catalog")).toBe(0);
    expect(await countRows(s, "orders", "user_id = ?", [userId])).toBe(1);
    expect(await availableOf(s, product.id)).toBe(9);
  });
});

describe("Redis unavailable", () => {
  it("still places exactly one order per key, with the database alone deciding", async () => {
    await s.restartOrder({ REDIS_URL: "redis://127.0.0.1:1" });
    const product = await aProduct(s, { quantity: 10 });
    const { userId, token } = aCustomer();
    const key = randomUUID();
    const body = { items: [{ productId: product.id, quantity: 1 }] };

    const first = await placeOrder(s, token, key, body);
    const second = await placeOrder(s, token, key, body);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await countRows(s, "orders", "user_id = ?", [userId])).toBe(1);
    expect(await availableOf(s, product.id)).toBe(9);
  });
});
