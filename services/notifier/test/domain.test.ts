import { randomUUID } from "node:crypto";
import { messageFor } from "../src/domain/notification";
import { decideAfterFailure } from "../src/domain/delivery";
import { formatMoney } from "../src/domain/money";

const orderId = "0a1b2c3d-0000-4000-8000-000000000000";
const facts = { eventId: randomUUID(), orderId, userId: randomUUID() };

describe("notification messages", () => {
  it("names the order and its total when an order is placed", () => {
    expect(
      messageFor({ ...facts, eventType: "ORDER_CREATED", totalAmount: 2598, currency: "EUR" }),
    ).toBe("Your order 0a1b2c3d was placed (total 25.98 EUR).");
  });

  it("leaves the total out when the event carries none", () => {
    expect(messageFor({ ...facts, eventType: "ORDER_CREATED" })).toBe(
      "Your order 0a1b2c3d was placed.",
    );
  });

  it("has a text for cancelled and completed orders and none for other types", () => {
    expect(messageFor({ ...facts, eventType: "ORDER_CANCELLED" })).toBe(
      "Your order 0a1b2c3d was cancelled.",
    );
    expect(messageFor({ ...facts, eventType: "ORDER_COMPLETED" })).toBe(
      "Your order 0a1b2c3d was completed.",
    );
    expect(messageFor({ ...facts, eventType: "ORDER_SHIPPED" })).toBeNull();
  });
});

describe("delivery retries", () => {
  const policy = { backoffBaseMs: 1000, backoffMaxMs: 60_000, maxAgeMs: 3600_000 };
  const createdAt = new Date("2026-01-01T00:00:00Z");

  it("waits a jittered, doubling delay capped at the maximum", () => {
    const now = new Date(createdAt.getTime() + 1000);
    const after = (attempts: number) =>
      decideAfterFailure({ attempts, createdAt }, policy, now, () => 0.999);
    expect(after(1)).toEqual({ kind: "retry", at: new Date(now.getTime() + 999) });
    expect(after(3)).toEqual({ kind: "retry", at: new Date(now.getTime() + 3996) });
    expect(after(20)).toEqual({ kind: "retry", at: new Date(now.getTime() + 59_940) });
  });

  it("gives up once the next try would fall past the maximum age", () => {
    const now = new Date(createdAt.getTime() + 3600_000 - 500);
    expect(decideAfterFailure({ attempts: 1, createdAt }, policy, now, () => 0.999)).toEqual({
      kind: "failed",
    });
  });
});

describe("money in emails", () => {
  it("formats minor units by the currency's own decimals", () => {
    expect(formatMoney(1999, "EUR")).toBe("19.99 EUR");
    expect(formatMoney(1999, "JPY")).toBe("1999 JPY");
    expect(formatMoney(1999, "KWD")).toBe("1.999 KWD");
  });
});
