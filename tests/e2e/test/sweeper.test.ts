import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Pool } from "@app/shared";
import { waitFor } from "@app/shared/testing";
import { createPool } from "./support";
import { client, STACK_START_TIMEOUT_MS, startE2eStack, type E2eStack } from "./harness";
import { INTERNAL_TOKEN } from "../../../scripts/stack/stack";

// The catalog's reservation sweeper against the real order service, in the whole stack behind
// the gateway, with reservations that expire after 2 s: a placement whose order service died
// before its commit gets its stock back exactly once, and a committed order keeps its stock
// even when its reservation expires before ORDER_CREATED confirms it.
const TTL_SECONDS = 2;

describe("the reservation sweeper and the order service", () => {
  let e2e: E2eStack;
  let call: ReturnType<typeof client>;
  let catalogDb: Pool;
  let adminToken: string;
  let customer: { token: string };

  beforeAll(async () => {
    e2e = await startE2eStack({
      RESERVATION_TTL_SECONDS: String(TTL_SECONDS),
      SWEEPER_INTERVAL_MS: "250",
      PLACEMENT_LEASE_MS: "1000",
      RECOVERY_INTERVAL_MS: "250",
      // The sweeper's and the order service's info lines are what the test watches.
      LOG_LEVEL: "info",
    });
    call = client(e2e.gateway);
    catalogDb = createPool(e2e.databaseUrl("catalog"), { connectionLimit: 2 });
    const admin = await call("POST", "/api/v1/auth/login", {
      body: { email: e2e.admin.email, password: e2e.admin.password },
    });
    adminToken = admin.body.accessToken;
    const email = `sweep-${randomUUID().slice(0, 8)}@example.com`;
    const password = "correct-horse-battery";
    expect(
      (await call("POST", "/api/v1/auth/register", { body: { email, password } })).status,
    ).toBe(201);
    const login = await call("POST", "/api/v1/auth/login", { body: { email, password } });
    customer = { token: login.body.accessToken };
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await catalogDb?.end();
    await e2e?.stop();
  });

  async function createProduct(quantity: number) {
    const res = await call("POST", "/api/v1/products", {
      token: adminToken,
      body: {
        sku: `SWEEP-${randomUUID().slice(0, 8)}`,
        name: "Sweeper product",
        price: 500,
        currency: "EUR",
        initialQuantity: quantity,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const available = async (productId: string) =>
    (await call("GET", `/api/v1/products/${productId}`)).body.availableQuantity as number;

  const reservationStatus = async (reservationId: string) => {
    const rows: { status: string }[] = await catalogDb.query(
      "SELECT status FROM reservations WHERE id = ?",
      [reservationId],
    );
    return rows[0]?.status;
  };

  /** Log lines of one service appended after `from`. */
  const linesOf = (service: string, from: number) =>
    e2e.logs.slice(from).filter((l) => l.startsWith(`[${service}] `));

  /** Sweeper passes (logged by the catalog) that left an expired reservation alone. */
  const passesLeaving = (from: number) =>
    linesOf("catalog", from).filter(
      (l) => l.includes("expired reservations swept") && /"left":[1-9]/.test(l),
    ).length;

  /** The sweeper's decisions the order service answered. */
  const lookupsAnswered = (from: number) =>
    linesOf("order", from).filter(
      (l) =>
        l.includes('"route":"/internal/v1/reservations/:reservationId/abandon"') &&
        l.includes('"status":200'),
    ).length;

  it("returns the stock of a placement killed before its commit exactly once: held while its key is in flight, released after recovery, never twice", async () => {
    const productId = await createProduct(10);
    const key = randomUUID();
    const body = { items: [{ productId, quantity: 4 }] };

    // The stack's order service makes way for one that stops right before its commit.
    await e2e.stack.stopService("order");
    const fromCrash = e2e.logs.length;
    await e2e.stack.startService("order", {
      entry: ["--import", "tsx", path.join(__dirname, "fixtures/orderStoppingBeforeCommit.ts")],
      env: { RECOVERY_ENABLED: "false" },
      ready: false,
    });
    await waitFor(
      () => linesOf("order", fromCrash).some((l) => l.startsWith("[order] LISTENING")),
      {
        what: "the stopping order service",
        timeoutMs: 60_000,
      },
    );
    const doomed = call("POST", "/api/v1/orders", {
      token: customer.token,
      headers: { "Idempotency-Key": key },
      body,
    });
    const line = await waitFor(
      () => linesOf("order", fromCrash).find((l) => l.startsWith("[order] BEFORE_COMMIT ")),
      { what: "the placement to reach its commit", timeoutMs: 60_000 },
    );
    const reservationId = line.split(" ")[2]!;
    await e2e.stack.stopService("order", "SIGKILL");
    // The gateway answers for the service that died mid-request: retry later.
    const lost = await doomed;
    expect([lost.status, lost.body.code, lost.headers.get("retry-after")]).toEqual([
      503,
      "SERVICE_UNAVAILABLE",
      "1",
    ]);
    expect(await available(productId)).toBe(6);

    // Back without recovery: the key stays in flight, so the sweeper hears PENDING and waits.
    await e2e.stack.startService("order", { env: { RECOVERY_ENABLED: "false" } });
    const fromPending = e2e.logs.length;
    await waitFor(() => passesLeaving(fromPending) >= 2 && lookupsAnswered(fromPending) >= 2, {
      what: "the sweeper to ask the order service twice and leave the reservation",
      timeoutMs: 60_000,
    });
    const lookup = await fetch(
      `${e2e.stack.services.order!.url}/internal/v1/reservations/${reservationId}/order`,
      { headers: { authorization: `Bearer ${INTERNAL_TOKEN}` } },
    );
    expect(await lookup.json()).toEqual({ reservationId, state: "PENDING" });
    expect(await reservationStatus(reservationId)).toBe("RESERVED");
    expect(await available(productId)).toBe(6);

    // With recovery (its lease long over), the placement is resolved: the stock comes back.
    await e2e.stack.stopService("order");
    await e2e.stack.startService("order");
    await waitFor(async () => (await reservationStatus(reservationId)) === "RELEASED", {
      what: "the abandoned reservation released",
      timeoutMs: 60_000,
    });
    expect(await available(productId)).toBe(10);

    // A reservation no order ever held, taken after that release: once the sweeper has asked
    // the order service about it (NO_ORDER) and released it, later passes have run too.
    const marker = randomUUID();
    const reserved = await fetch(`${e2e.stack.services.catalog!.url}/internal/v1/reservations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${INTERNAL_TOKEN}` },
      body: JSON.stringify({ reservationId: marker, items: [{ productId, quantity: 1 }] }),
    });
    expect(reserved.status).toBe(201);
    expect(await available(productId)).toBe(9);
    await waitFor(async () => (await reservationStatus(marker)) === "RELEASED", {
      what: "the sweeper to release the orphan marker",
      timeoutMs: 60_000,
    });
    expect(await available(productId)).toBe(10);

    // The key is free again: the same request now places the order.
    const retried = await call("POST", "/api/v1/orders", {
      token: customer.token,
      headers: { "Idempotency-Key": key },
      body,
    });
    expect(retried.status).toBe(201);
    expect(await available(productId)).toBe(6);
  });

  it("never releases a committed order's reservation that expires before ORDER_CREATED confirms it", async () => {
    const productId = await createProduct(5);
    // Without the relay, ORDER_CREATED stays in the outbox: only the sweeper can settle it.
    await e2e.stack.stopService("outbox-relay");
    let placed;
    try {
      placed = await call("POST", "/api/v1/orders", {
        token: customer.token,
        headers: { "Idempotency-Key": randomUUID() },
        body: { items: [{ productId, quantity: 2 }] },
      });
      expect(placed.status).toBe(201);
      const rows: { id: string }[] = await catalogDb.query(
        "SELECT reservation_id AS id FROM reservation_items WHERE product_id = ?",
        [productId],
      );
      expect(rows).toHaveLength(1);
      const id = rows[0]!.id;
      // Expired and asked about: the order exists, so the sweeper confirms it.
      await waitFor(async () => (await reservationStatus(id)) === "CONFIRMED", {
        what: "the sweeper to confirm the expired reservation",
        timeoutMs: 60_000,
      });
      expect(await available(productId)).toBe(3);
    } finally {
      await e2e.stack.startService("outbox-relay");
    }
    // The late ORDER_CREATED is handled as a confirmation of a confirmed reservation.
    const order = await call("GET", `/api/v1/orders/${placed.body.id}`, { token: customer.token });
    expect(order.body.status).toBe("CREATED");
    const outbox = createPool(e2e.databaseUrl("orders"), { connectionLimit: 1 });
    try {
      const [created]: { event_id: string }[] = await outbox.query(
        "SELECT event_id FROM outbox_events WHERE aggregate_id = ? AND event_type = 'ORDER_CREATED'",
        [placed.body.id],
      );
      await waitFor(
        async () =>
          (
            (await catalogDb.query("SELECT 1 FROM processed_events WHERE event_id = ?", [
              created!.event_id,
            ])) as unknown[]
          ).length === 1,
        { what: "the catalog to handle the late ORDER_CREATED", timeoutMs: 60_000 },
      );
    } finally {
      await outbox.end();
    }
    expect(await available(productId)).toBe(3);
  });
});
