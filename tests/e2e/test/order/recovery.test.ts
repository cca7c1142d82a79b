import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { waitFor } from "@app/shared/testing";
import { call, SERVICE_TOKEN, startSystem, type TestSystem } from "./support/system";

let s: TestSystem;
const LEASE_MS = "600";

beforeAll(async () => {
  s = await startSystem({ orderEnv: { PLACEMENT_LEASE_MS: LEASE_MS } });
});

const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await s?.close();
});

/** The catalog's sweeper deciding on a reservation. */
const abandon = (reservationId: string, token = SERVICE_TOKEN) =>
  call(s.orderUrl, "POST", `/internal/v1/reservations/${reservationId}/abandon`, { token });

const lookup = (reservationId: string, token = SERVICE_TOKEN) =>
  call(s.orderUrl, "GET", `/internal/v1/reservations/${reservationId}/order`, { token });

/** Starts the order service as a child process that stops right before its commit. */
async function startStoppingChild(): Promise<{
  child: ChildProcess;
  url: string;
  beforeCommit: Promise<string>;
}> {
  // One process (tsx as a loader, not its CLI wrapper), so SIGKILL hits the server itself.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "../fixtures/orderStoppingBeforeCommit.ts")],
    {
      env: { ...process.env, ...s.orderEnv, RECOVERY_ENABLED: "false", LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.add(child);
  const lines = createInterface({ input: child.stdout! });
  let onBeforeCommit: (id: string) => void = () => undefined;
  const beforeCommit = new Promise<string>((resolve) => (onBeforeCommit = resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
    lines.on("line", (line) => {
      const [word, value] = line.split(" ");
      if (word === "LISTENING") resolve(value!);
      if (word === "BEFORE_COMMIT") onBeforeCommit(value!);
    });
  });
  return { child, url, beforeCommit };
}

describe("crash between reservation and commit", () => {
  it("leaves an in-flight key (PENDING to the sweeper) that recovery on the next start resolves: stock back, key free", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
      quantity: 4,
    });

    const { child, url, beforeCommit } = await startStoppingChild();
    const doomed = call(url, "POST", "/api/v1/orders", {
      token,
      body,
      headers: { "idempotency-key": key },
    }).then(
      () => "answered",
      () => "connection lost",
    );
    const reservationId = await beforeCommit;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    expect(await doomed).toBe("connection lost");

    expect(await s.availableOf(product.id)).toBe(6);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(
      await s.countRows("idempotency_keys", "user_id = ? AND state = 'IN_FLIGHT'", [userId]),
    ).toBe(1);
    expect((await abandon(reservationId)).body).toEqual({ reservationId, state: "PENDING" });

    await waitFor(
      async () =>
        (await s.countRows("idempotency_keys", "user_id = ? AND locked_until < NOW(3)", [
          userId,
        ])) === 1,
      { what: "the lease to expire" },
    );
    await s.restartOrder({ RECOVERY_ENABLED: "true" });

    expect(await s.availableOf(product.id)).toBe(10);
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
    expect((await abandon(reservationId)).body).toEqual({ reservationId, state: "NO_ORDER" });
    const retried = await s.placeOrder(token, key, body);
    expect(retried.status).toBe(201);
    expect(await s.availableOf(product.id)).toBe(6);
  });

  it("completes an expired in-flight key whose order exists, so the key replays that order", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
    });
    const placed = await s.placeOrder(token, key, body);
    // The state a process dying between an order insert and its key update would leave.
    await s.sql.query(
      "UPDATE idempotency_keys SET state = 'IN_FLIGHT', response_status = NULL, response_body = NULL, locked_until = NOW(3) - INTERVAL 1 SECOND WHERE user_id = ?",
      [userId],
    );

    const report = await s.order.recoverOnce();
    const replay = await call(s.orderUrl, "POST", "/api/v1/orders", {
      token,
      body,
      headers: { "idempotency-key": key },
    });

    expect(report.completed).toBe(1);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(placed.body);
    expect(await s.availableOf(product.id)).toBe(9);
  });
});

describe("a placement that outlives its lease", () => {
  it("does not commit once recovery took it over: 409 IDEMPOTENCY_KEY_IN_USE, no order, stock back, key free", async () => {
    let stalls = 1;
    await s.restartOrder(
      { PLACEMENT_LEASE_MS: "200" },
      {
        hooks: {
          // The first placement stalls past its lease while recovery (as another replica would) takes it over.
          beforeCommit: async () => {
            if (stalls-- <= 0) return;
            await new Promise((resolve) => setTimeout(resolve, 300));
            await s.order.recoverOnce();
          },
        },
      },
    );
    try {
      const { product, userId, token, key, body } = await s.anOrderRequest({
        product: { quantity: 10 },
        quantity: 2,
      });

      const late = await s.placeOrder(token, key, body);

      expect([late.status, late.body.code]).toEqual([409, "IDEMPOTENCY_KEY_IN_USE"]);
      expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
      expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
      expect(await s.availableOf(product.id)).toBe(10);
      const retried = await s.placeOrder(token, key, body);
      expect(retried.status).toBe(201);
      expect(await s.availableOf(product.id)).toBe(8);
    } finally {
      await s.restartOrder();
    }
  });
});

describe("order and outbox row are written together or not at all", () => {
  it("answers 500 when the outbox insert fails, leaves no order, returns the stock and frees the key", async () => {
    const { product, userId, token, key, body } = await s.anOrderRequest({
      product: { quantity: 10 },
      quantity: 3,
    });
    const trigger = `fail_outbox_${Date.now()}`;
    await s.sql.query(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON outbox_events FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'outbox refused by test'`,
    );
    let failed;
    try {
      failed = await s.placeOrder(token, key, body);
    } finally {
      await s.sql.query(`DROP TRIGGER ${trigger}`);
    }

    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe("INTERNAL");
    expect(JSON.stringify(failed.body)).not.toMatch(/outbox refused|SIGNAL|INSERT/);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(await s.countRows("order_items", "product_id = ?", [product.id])).toBe(0);
    expect(await s.availableOf(product.id)).toBe(10);
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);

    const retried = await s.placeOrder(token, key, body);
    expect(retried.status).toBe(201);
    expect(await s.countRows("outbox_events", "aggregate_id = ?", [retried.body.id])).toBe(1);
  });
});

/** Places an order and returns its id and the reservation it holds. */
async function aPlacedOrder(): Promise<{ orderId: string; reservationId: string }> {
  const product = await s.aProduct();
  const placed = await s.placeOrder(s.aCustomer().token, randomUUID(), {
    items: [{ productId: product.id, quantity: 1 }],
  });
  const [row] = await s.sql.query("SELECT reservation_id FROM orders WHERE id = ?", [
    placed.body.id,
  ]);
  return { orderId: placed.body.id as string, reservationId: row.reservation_id };
}

describe("POST /internal/v1/reservations/{reservationId}/abandon (the catalog's sweeper)", () => {
  it("answers ORDER_EXISTS with the order id for a placed order's reservation", async () => {
    const placed = await aPlacedOrder();

    const response = await abandon(placed.reservationId);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...placed, state: "ORDER_EXISTS" });
  });

  it("answers NO_ORDER for a reservation no placement holds, and records it as abandoned so the answer stays final", async () => {
    const reservationId = randomUUID();
    const response = await abandon(reservationId);
    expect(response.body).toEqual({ reservationId, state: "NO_ORDER" });
    const rows = await s.sql.query(
      "SELECT reservation_id FROM abandoned_reservations WHERE reservation_id = ?",
      [reservationId],
    );
    expect(rows).toHaveLength(1);
  });

  it("answers NO_ORDER for a declined placement's reservation (the key holds a final answer but no order)", async () => {
    const product = await s.aProduct({ price: 5_000_000, quantity: 2 });
    const { userId, token } = s.aCustomer();
    const declined = await s.placeOrder(token, randomUUID(), {
      items: [{ productId: product.id, quantity: 1 }],
    });
    const [row] = await s.sql.query(
      "SELECT reservation_id FROM idempotency_keys WHERE user_id = ?",
      [userId],
    );
    expect(declined.status).toBe(402);
    expect((await abandon(row.reservation_id)).body.state).toBe("NO_ORDER");
  });

  it("answers 401 without service credentials (a user's token is not one) and 400 for a malformed id", async () => {
    const none = await call(
      s.orderUrl,
      "POST",
      `/internal/v1/reservations/${randomUUID()}/abandon`,
    );
    const userToken = await abandon(randomUUID(), s.tokenFor(randomUUID()));
    const malformed = await abandon("not-a-uuid");
    expect([none.status, none.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect(userToken.status).toBe(401);
    expect([malformed.status, malformed.body.code]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("GET /internal/v1/reservations/{reservationId}/order (reads only)", () => {
  it("answers ORDER_EXISTS with the order id for a placed order's reservation", async () => {
    const placed = await aPlacedOrder();

    const response = await lookup(placed.reservationId);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...placed, state: "ORDER_EXISTS" });
  });

  it("answers NO_ORDER for a reservation no placement holds and records nothing, so asking twice decides nothing", async () => {
    const reservationId = randomUUID();
    const first = await lookup(reservationId);
    const second = await lookup(reservationId);
    expect([first.status, first.body]).toEqual([200, { reservationId, state: "NO_ORDER" }]);
    expect(second.body).toEqual(first.body);
    const rows = await s.sql.query(
      "SELECT reservation_id FROM abandoned_reservations WHERE reservation_id = ?",
      [reservationId],
    );
    expect(rows).toEqual([]);
  });

  it("answers PENDING while a placement holds the reservation in flight", async () => {
    const userId = randomUUID();
    const reservationId = randomUUID();
    await s.sql.query(
      `INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, state, reservation_id, locked_until, created_at, updated_at)
       VALUES (?, 'in-flight', ?, 'IN_FLIGHT', ?, NOW(3) + INTERVAL 1 MINUTE, NOW(3), NOW(3))`,
      [userId, "a".repeat(64), reservationId],
    );
    expect((await lookup(reservationId)).body).toEqual({ reservationId, state: "PENDING" });
    await s.sql.query("DELETE FROM idempotency_keys WHERE user_id = ?", [userId]);
  });

  it("answers 401 without service credentials (a user's token is not one) and 400 for a malformed id", async () => {
    const none = await call(s.orderUrl, "GET", `/internal/v1/reservations/${randomUUID()}/order`);
    const userToken = await lookup(randomUUID(), s.tokenFor(randomUUID()));
    const malformed = await lookup("not-a-uuid");
    expect([none.status, none.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect(userToken.status).toBe(401);
    expect([malformed.status, malformed.body.code]).toEqual([400, "VALIDATION_FAILED"]);
  });
});
