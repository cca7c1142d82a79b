import { randomUUID } from "node:crypto";
import { messageFor } from "../src/domain/notification";

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
