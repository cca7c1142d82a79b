import {
  confirmTransition,
  normalizeLines,
  releaseTransition,
  shortLines,
  sweepDecision,
} from "../src/domain/reservation";

describe("reservation rules", () => {
  it("merges repeated products and sorts lines by product id so locks are taken in one order", () => {
    expect(
      normalizeLines([
        { productId: "c", quantity: 1 },
        { productId: "a", quantity: 2 },
        { productId: "c", quantity: 3 },
      ]),
    ).toEqual([
      { productId: "a", quantity: 2 },
      { productId: "c", quantity: 4 },
    ]);
  });

  it("names only the lines whose request exceeds what is available", () => {
    const lines = [
      { productId: "a", quantity: 2 },
      { productId: "b", quantity: 5 },
    ];
    expect(
      shortLines(
        lines,
        new Map([
          ["a", 2],
          ["b", 4],
        ]),
      ),
    ).toEqual([{ productId: "b", requested: 5, available: 4 }]);
  });

  it("confirms only a held reservation and releases only once", () => {
    expect(confirmTransition("RESERVED")).toBe("confirm");
    expect(confirmTransition("CONFIRMED")).toBe("already_confirmed");
    expect(confirmTransition("RELEASED")).toBe("released");
    expect(releaseTransition("RESERVED", "no_order")).toBe("release");
    expect(releaseTransition("CONFIRMED", "order_cancelled")).toBe("release");
    expect(releaseTransition("CONFIRMED", "no_order")).toBe("confirmed");
    expect(releaseTransition("RELEASED", "order_cancelled")).toBe("already_released");
  });

  it("releases an expired reservation only when the order service says no order will exist", () => {
    expect(sweepDecision("NO_ORDER")).toBe("RELEASE");
    expect(sweepDecision("ORDER_EXISTS")).toBe("CONFIRM");
    expect(sweepDecision("PENDING")).toBe("LEAVE");
    expect(sweepDecision("UNKNOWN")).toBe("LEAVE");
  });
});
