import { randomUUID } from "node:crypto";
import { waitFor } from "@app/shared/testing";
import { InMemoryPaymentGateway, paymentReference, type PaymentGateway } from "@app/order/src/main";
import { startSystem, type TestSystem } from "./support/system";

/**
 * A provider whose answer can be lost on the way back: it authorizes, then the connection drops
 * (the case where the service cannot know whether money is held).
 */
class AnswerLosingGateway implements PaymentGateway {
  loseNextAnswer = false;
  constructor(private readonly provider: InMemoryPaymentGateway) {}

  async authorize(request: Parameters<PaymentGateway["authorize"]>[0]) {
    const outcome = await this.provider.authorize(request);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error("connection reset after the provider authorized");
    }
    return outcome;
  }

  void(reference: string) {
    return this.provider.void(reference);
  }
}

let s: TestSystem;
const provider = new InMemoryPaymentGateway(1_000_000);
const gateway = new AnswerLosingGateway(provider);
let holdBeforeCommit: Promise<void> | undefined;

beforeAll(async () => {
  s = await startSystem({
    orderEnv: { RECOVERY_ENABLED: "false", PLACEMENT_LEASE_MS: "300" },
    orderOptions: {
      payment: gateway,
      hooks: { beforeCommit: async () => holdBeforeCommit },
    },
  });
});

afterAll(async () => {
  await s?.close();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("payment authorizations of orders that are not created", () => {
  it("authorizes under a reference stable per (user, Idempotency-Key)", async () => {
    const product = await s.aProduct({ price: 500 });
    const userId = randomUUID();
    const key = `key-${randomUUID()}`;

    const placed = await s.placeOrder(s.tokenFor(userId), key, {
      items: [{ productId: product.id, quantity: 2 }],
    });

    expect(placed.status).toBe(201);
    expect(provider.authorization(paymentReference(userId, key))).toMatchObject({
      status: "AUTHORIZED",
      amount: 1000,
      currency: "EUR",
    });
    // Another user's identical key is another payment.
    expect(paymentReference(randomUUID(), key)).not.toBe(paymentReference(userId, key));
  });

  it("voids an authorization whose answer was lost, and the retry of the key authorizes again under the same reference", async () => {
    const product = await s.aProduct({ quantity: 5 });
    const userId = randomUUID();
    const key = randomUUID();
    const body = { items: [{ productId: product.id, quantity: 1 }] };
    gateway.loseNextAnswer = true;

    const lost = await s.placeOrder(s.tokenFor(userId), key, body);

    expect(lost.status).toBe(503);
    expect(lost.body.code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(provider.authorization(paymentReference(userId, key))?.status).toBe("VOIDED");
    expect(await s.availableOf(product.id)).toBe(5);

    const created = provider.authorizationsCreated();
    const retried = await s.placeOrder(s.tokenFor(userId), key, body);
    expect(retried.status).toBe(201);
    expect(provider.authorization(paymentReference(userId, key))?.status).toBe("AUTHORIZED");
    expect(provider.authorizationsCreated()).toBe(created + 1);
  });

  it("voids the authorization of a placement that lost its lease to recovery, and creates no order", async () => {
    const product = await s.aProduct({ quantity: 5 });
    const userId = randomUUID();
    const key = randomUUID();
    const hold = deferred();
    holdBeforeCommit = hold.promise;

    const slow = s.placeOrder(s.tokenFor(userId), key, {
      items: [{ productId: product.id, quantity: 2 }],
    });
    // Recovery takes the placement over once its lease has run out.
    await waitFor(async () => (await s.order.recoverOnce()).freed === 1, {
      timeoutMs: 20_000,
      what: "recovery to take the held placement over",
    });
    holdBeforeCommit = undefined;
    hold.resolve();
    const answer = await slow;

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    expect(await s.countRows("orders", "user_id = ?", [userId])).toBe(0);
    expect(await s.availableOf(product.id)).toBe(5);
    expect(provider.authorization(paymentReference(userId, key))?.status).toBe("VOIDED");
  });
});
