import { randomUUID } from "node:crypto";
import { createPool, type Pool } from "@app/shared";
import { InMemoryPaymentGateway, paymentReference } from "@app/order/src/main";
import { startSystem, type TestSystem } from "./support/system";

let s: TestSystem;
let catalogSql: Pool;
const payment = new InMemoryPaymentGateway(1_000_000);
/** Armed by a test right before the placement's commit; no-op otherwise. */
let beforeCommit: (() => Promise<void>) | undefined;

beforeAll(async () => {
  s = await startSystem({
    orderDatabaseLink: true,
    orderEnv: { RECOVERY_ENABLED: "false" },
    orderOptions: { payment, hooks: { beforeCommit: async () => beforeCommit?.() } },
  });
  catalogSql = createPool(s.catalogDb.url, { connectionLimit: 1 });
});

afterAll(async () => {
  await catalogSql?.end();
  await s?.close();
});

afterEach(() => {
  beforeCommit = undefined;
});

async function reservationStatus(orderId: string): Promise<string> {
  const [row]: { reservation_id: string }[] = await s.sql.query(
    "SELECT reservation_id FROM orders WHERE id = ?",
    [orderId],
  );
  const [reservation]: { status: string }[] = await catalogSql.query(
    "SELECT status FROM reservations WHERE id = ?",
    [row!.reservation_id],
  );
  return reservation!.status;
}

describe("a placement whose commit acknowledgement is lost", () => {
  it("answers 201 with the committed order and keeps its stock and payment when the connection is cut right after COMMIT", async () => {
    const product = await s.aProduct({ quantity: 10 });
    const userId = randomUUID();
    const key = randomUUID();
    let cut: Promise<void> | undefined;
    beforeCommit = async () => {
      cut = s.databaseLink!.cutAfterRequest("COMMIT");
    };

    const response = await s.placeOrder(s.tokenFor(userId), key, {
      items: [{ productId: product.id, quantity: 3 }],
    });

    await cut; // the cut really happened after the server took the COMMIT
    expect(response.status).toBe(201);
    expect(await s.countRows("orders", "id = ?", [response.body.id])).toBe(1);
    expect(
      await s.countRows("idempotency_keys", "user_id = ? AND state = 'COMPLETED'", [userId]),
    ).toBe(1);
    expect(await s.availableOf(product.id)).toBe(7);
    expect(await reservationStatus(response.body.id)).toBe("RESERVED");
    expect(payment.authorization(paymentReference(userId, key))?.status).toBe("AUTHORIZED");

    const replay = await s.placeOrder(s.tokenFor(userId), key, {
      items: [{ productId: product.id, quantity: 3 }],
    });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(response.body.id);
    expect(await s.availableOf(product.id)).toBe(7);
  });

  it("returns the stock, voids the payment and frees the key when the connection is cut before COMMIT", async () => {
    const product = await s.aProduct({ quantity: 10 });
    const userId = randomUUID();
    const key = randomUUID();
    beforeCommit = async () => {
      // dialect-gate-ignore: a prefix the database proxy matches, not a statement
      void s.databaseLink!.cutAfterRequest("INSERT INTO orders");
    };

    const failed = await s.placeOrder(s.tokenFor(userId), key, {
      items: [{ productId: product.id, quantity: 3 }],
    });

    // A lost database connection is the dependency's failure, not the request's: 503, retry.
    expect(failed.status).toBe(503);
    expect(failed.body.code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(Number(failed.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(await s.countRows("idempotency_keys", "user_id = ?", [userId])).toBe(0);
    expect(await s.availableOf(product.id)).toBe(10);
    expect(payment.authorization(paymentReference(userId, key))?.status).toBe("VOIDED");

    // The client's retry of the key authorizes again under the same reference and succeeds.
    beforeCommit = undefined;
    const retried = await s.placeOrder(s.tokenFor(userId), key, {
      items: [{ productId: product.id, quantity: 3 }],
    });
    expect(retried.status).toBe(201);
    expect(await s.availableOf(product.id)).toBe(7);
    expect(payment.authorization(paymentReference(userId, key))).toMatchObject({
      status: "AUTHORIZED",
      amount: 3 * product.price,
    });
  });
});
