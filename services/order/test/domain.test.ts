import { jitteredBackoffMs } from "@app/shared";
import { canonicalJson, requestFingerprint } from "../src/domain/idempotency";
import { decideCancel, decideComplete, priceOrder } from "../src/domain/order";

const line = (productId: string, unitPrice: number, quantity: number, currency = "EUR") => ({
  productId,
  sku: `S-${productId}`,
  name: "n",
  unitPrice,
  quantity,
  currency,
});

describe("request fingerprint", () => {
  it("is the same for the same body whatever the key order, and differs when a value differs", () => {
    const a = { items: [{ productId: "p", quantity: 1 }] };
    const b = { items: [{ quantity: 1, productId: "p" }] };
    expect(canonicalJson(b)).toBe('{"items":[{"productId":"p","quantity":1}]}');
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(requestFingerprint(a)).not.toBe(
      requestFingerprint({ items: [{ productId: "p", quantity: 2 }] }),
    );
    expect(requestFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("priceOrder", () => {
  it("snapshots reserved unit prices into line totals and the order total", () => {
    expect(priceOrder([line("a", 1250, 3), line("b", 99, 2)])).toMatchObject({
      kind: "priced",
      totalAmount: 3948,
      currency: "EUR",
      items: [
        { productId: "a", unitPrice: 1250, quantity: 3, lineTotal: 3750 },
        { productId: "b", unitPrice: 99, quantity: 2, lineTotal: 198 },
      ],
    });
  });

  it("refuses lines priced in more than one currency", () => {
    expect(priceOrder([line("a", 1, 1, "EUR"), line("b", 1, 1, "USD")])).toEqual({
      kind: "mixed_currency",
      currencies: ["EUR", "USD"],
    });
  });
});

describe("status changes", () => {
  test.each([
    {
      title: "cancels a created order, ignores a second cancel, refuses a completed order",
      decide: decideCancel,
      to: "CANCELLED",
      eventType: "ORDER_CANCELLED",
      refusedFrom: "COMPLETED",
    },
    {
      title: "completes a created order, ignores a second complete, refuses a cancelled order",
      decide: decideComplete,
      to: "COMPLETED",
      eventType: "ORDER_COMPLETED",
      refusedFrom: "CANCELLED",
    },
  ] as const)("$title", ({ decide, to, eventType, refusedFrom }) => {
    expect(decide("CREATED")).toEqual({ kind: "change", to, eventType });
    expect(decide(to)).toEqual({ kind: "unchanged" });
    expect(decide(refusedFrom)).toEqual({ kind: "refused", from: refusedFrom });
  });
});

describe("backoff", () => {
  it("doubles per attempt within half to full delay, capped", () => {
    // The order service's retries of the catalog keep at least half the delay.
    const backoffDelayMs = (attempt: number, baseMs: number, maxMs: number, random: () => number) =>
      jitteredBackoffMs(attempt, baseMs, maxMs, random, 0.5);
    expect(backoffDelayMs(1, 100, 2000, () => 1)).toBe(100);
    expect(backoffDelayMs(3, 100, 2000, () => 1)).toBe(400);
    expect(backoffDelayMs(3, 100, 2000, () => 0)).toBe(200);
    expect(backoffDelayMs(10, 100, 2000, () => 1)).toBe(2000);
  });
});
