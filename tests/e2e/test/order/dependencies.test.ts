import { randomUUID } from "node:crypto";
import { waitFor } from "@app/shared/testing";
import { loadOrderConfig, startOrder } from "@app/order/src/main";
import { startFakeCatalog, startRecordingProxy, startStalledCatalog } from "./support/fakeCatalog";
import { call, SERVICE_TOKEN, startSystem, type TestSystem } from "./support/system";

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

/** The one state whose `order_circuit_breaker_state` series is 1 (every other state is 0). */
async function breakerState(name: string, orderUrl = s.orderUrl): Promise<string> {
  const metrics = await call(orderUrl, "GET", "/metrics");
  const series = [
    ...(metrics.body as string).matchAll(
      new RegExp(`^order_circuit_breaker_state\\{([^}]*)\\} (\\d)$`, "gm"),
    ),
  ].filter((m) => (m[1] ?? "").includes(`breaker="${name}"`));
  const current = series
    .filter((m) => m[2] === "1")
    .map((m) => /state="(\w+)"/.exec(m[1] ?? "")?.[1]);
  if (series.length !== 3 || current.length !== 1)
    throw new Error(`expected one of three breaker states set for ${name}, got ${series.length}`);
  return current[0] as string;
}

/** Outbox rows whose event is about this user's orders (the payload is the order). */
const outboxRowsOf = (userId: string) =>
  s.countRows("outbox_events", "JSON_VALUE(payload, '$.userId') = ?", [userId]);

/** A second order service on the same database, calling the catalog at another address. */
async function withOrderService(
  env: Record<string, string>,
  use: (orderUrl: string) => Promise<void>,
): Promise<void> {
  const order = await startOrder(
    loadOrderConfig({ ...s.orderEnv, RECOVERY_ENABLED: "false", ...env }),
  );
  try {
    await use(order.url);
  } finally {
    await order.close();
  }
}

describe("payment", () => {
  it("answers 402 PAYMENT_DECLINED above the approval limit, returns the stock, writes no order, and replays the decline", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { price: 60_000, quantity: 5 },
      quantity: 2,
    });

    const declined = await s.placeOrder(token, key, body);
    const replayed = await s.placeOrder(token, key, body);

    expect(declined.status).toBe(402);
    expect(declined.body.code).toBe("PAYMENT_DECLINED");
    expect(await s.availableOf(product.id)).toBe(5);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(await outboxRowsOf(userId)).toBe(0);
    expect(replayed.status).toBe(402);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body).toEqual(declined.body);
  });

  it("approves a total at the limit", async () => {
    const product = await s.aProduct({ price: 50_000, quantity: 5 });
    const response = await s.placeOrder(s.aCustomer().token, randomUUID(), {
      items: [{ productId: product.id, quantity: 2 }],
    });
    expect(response.status).toBe(201);
    expect(response.body.totalAmount).toBe(100_000);
  });
});

describe("catalog unavailable", () => {
  it("answers 503 DEPENDENCY_UNAVAILABLE with Retry-After and writes nothing; the breaker opens, then recovers and the same key succeeds", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
    });

    s.catalogLink.down();
    const failures = [];
    for (let i = 0; i < 4; i++) failures.push(await s.placeOrder(token, key, body));

    for (const failure of failures) {
      expect(failure.status).toBe(503);
      expect(failure.body.code).toBe("DEPENDENCY_UNAVAILABLE");
      expect(Number(failure.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(await breakerState("catalog")).toBe("open");
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(await outboxRowsOf(userId)).toBe(0);
    // A transient failure is not stored: the key stays free for the retry.
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);

    s.catalogLink.up();
    const recovered = await waitFor(
      async () => {
        const attempt = await s.placeOrder(token, key, body);
        return attempt.status === 201 ? attempt : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: "a placement through the recovered breaker" },
    );

    expect(recovered.headers.get("idempotent-replayed")).toBeNull();
    expect(await breakerState("catalog")).toBe("closed");
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
    expect(await s.availableOf(product.id)).toBe(9);
  });
});

describe("calls to the catalog", () => {
  it("carry the client's X-Request-Id and the service credentials", async () => {
    const recorder = await startRecordingProxy(s.catalogUrl);
    try {
      await withOrderService({ CATALOG_URL: recorder.url }, async (orderUrl) => {
        const product = await s.aProduct({ quantity: 5 });
        const response = await call(orderUrl, "POST", "/api/v1/orders", {
          token: s.aCustomer().token,
          body: { items: [{ productId: product.id, quantity: 1 }] },
          headers: { "idempotency-key": randomUUID(), "x-request-id": "req-to-catalog-1" },
        });

        expect(response.status).toBe(201);
        const reservations = recorder.seen.filter((r) => r.path === "/internal/v1/reservations");
        expect(reservations).toHaveLength(1);
        expect(reservations[0]!.headers["x-request-id"]).toBe("req-to-catalog-1");
        expect(reservations[0]!.headers.authorization).toBe(`Bearer ${SERVICE_TOKEN}`);
      });
    } finally {
      await recorder.close();
    }
  });

  it("answer 503 DEPENDENCY_UNAVAILABLE with Retry-After within the breaker timeout when the catalog accepts but never answers", async () => {
    const stalled = await startStalledCatalog();
    // Long enough that the release (same deadline) is still open however slowly this machine
    // turns the reservation failure into the answer.
    const timeoutMs = 3000;
    try {
      await withOrderService(
        {
          CATALOG_URL: stalled.url,
          BREAKER_TIMEOUT_MS: String(timeoutMs),
          BREAKER_RESET_TIMEOUT_MS: String(timeoutMs * 2),
          CATALOG_RETRIES: "0",
        },
        async (orderUrl) => {
          const { userId, token } = s.aCustomer();
          const started = performance.now();
          const response = await call(orderUrl, "POST", "/api/v1/orders", {
            token,
            body: { items: [{ productId: randomUUID(), quantity: 1 }] },
            headers: { "idempotency-key": randomUUID() },
          });
          const elapsedMs = performance.now() - started;
          const releases = () =>
            stalled.connections.filter((c) =>
              / \/internal\/v1\/reservations\/[^/]+\/release /.test(c.requestLine),
            );
          // One deadline, not two: the release of the unanswered reservation does not hold the
          // client. The stalled catalog never answers it, so had the client waited for it, its
          // deadline would have cut the connection before the answer; here it is still open.
          const closedReleasesAtAnswer = releases().filter((c) => !c.open).length;

          expect([response.status, response.body.code]).toEqual([503, "DEPENDENCY_UNAVAILABLE"]);
          expect(response.headers.get("retry-after")).toBe(String((timeoutMs * 2) / 1000));
          expect(stalled.accepted()).toBeGreaterThan(0);
          expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs * 0.9);
          expect(closedReleasesAtAnswer).toBe(0);
          await waitFor(() => releases().length > 0, { what: "the release sent to the catalog" });
          expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
          expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
        },
      );
    } finally {
      await stalled.close();
    }
  });

  it("map the catalog's 503 STOCK_CONTENTION to 503 DEPENDENCY_UNAVAILABLE without counting it toward opening the breaker", async () => {
    let failing = false;
    const fake = await startFakeCatalog((request) => {
      if (failing) return { status: 500, body: { status: 500, code: "INTERNAL" } };
      if (request.path !== "/internal/v1/reservations")
        return { status: 404, body: { status: 404, code: "RESERVATION_NOT_FOUND" } };
      return {
        status: 503,
        headers: { "retry-after": "1", "content-type": "application/problem+json" },
        body: { status: 503, code: "STOCK_CONTENTION", title: "Service unavailable" },
      };
    });
    const reservationCalls = () =>
      fake.seen.filter((r) => r.path === "/internal/v1/reservations").length;
    try {
      await withOrderService(
        {
          CATALOG_URL: fake.url,
          BREAKER_VOLUME_THRESHOLD: "2",
          BREAKER_ERROR_THRESHOLD_PERCENTAGE: "50",
          BREAKER_RESET_TIMEOUT_MS: "10000",
          CATALOG_RETRIES: "1",
          RETRY_BACKOFF_BASE_MS: "5",
        },
        async (orderUrl) => {
          const { userId, token } = s.aCustomer();
          const key = randomUUID();
          const place = () =>
            call(orderUrl, "POST", "/api/v1/orders", {
              token,
              body: { items: [{ productId: randomUUID(), quantity: 1 }] },
              headers: { "idempotency-key": key },
            });

          for (let i = 0; i < 4; i++) {
            const response = await place();
            expect([response.status, response.body.code]).toEqual([503, "DEPENDENCY_UNAVAILABLE"]);
            expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
          }
          // Every attempt (a first try and one retry per request) reached the catalog: none was
          // refused by an open breaker, and the key stayed free for the client's retry.
          expect(reservationCalls()).toBe(8);
          expect(await breakerState("catalog", orderUrl)).toBe("closed");
          expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);

          // The same settings do open the breaker once the catalog fails for real.
          failing = true;
          for (let i = 0; i < 20 && (await breakerState("catalog", orderUrl)) !== "open"; i++)
            expect((await place()).status).toBe(503);
          expect(await breakerState("catalog", orderUrl)).toBe("open");
        },
      );
    } finally {
      await fake.close();
    }
  });
});

describe("Redis unavailable", () => {
  it("still places exactly one order per key, with the database alone deciding", async () => {
    await s.restartOrder({ REDIS_URL: "redis://127.0.0.1:1" });
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
    });

    const first = await s.placeOrder(token, key, body);
    const second = await s.placeOrder(token, key, body);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(1);
    expect(await s.availableOf(product.id)).toBe(9);
  });
});
