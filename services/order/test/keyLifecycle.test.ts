import {
  canTransition,
  decideExistingKey,
  mayCommit,
  retentionCutoff,
  secondsLeftOfRetention,
} from "../src/domain/keyLifecycle";

describe("the Idempotency-Key lifecycle", () => {
  it("completes a placement only from IN_FLIGHT, so a key recovery took over refuses a late commit", () => {
    expect(canTransition("IN_FLIGHT", "complete")).toBe(true);
    expect(canTransition("RECOVERING", "complete")).toBe(false);
    expect(canTransition("COMPLETED", "complete")).toBe(false);
  });

  it("lets recovery take over, complete from the order or free only keys not yet completed", () => {
    for (const transition of ["take_over", "complete_from_order", "free"] as const) {
      expect(canTransition("IN_FLIGHT", transition)).toBe(true);
      expect(canTransition("RECOVERING", transition)).toBe(true);
      expect(canTransition("COMPLETED", transition)).toBe(false);
    }
  });

  it("purges COMPLETED keys only", () => {
    expect(canTransition("COMPLETED", "purge")).toBe(true);
    expect(canTransition("IN_FLIGHT", "purge")).toBe(false);
    expect(canTransition("RECOVERING", "purge")).toBe(false);
  });

  it("lets only the placement holding the key IN_FLIGHT with its reservation commit", () => {
    expect(mayCommit({ state: "IN_FLIGHT", reservationId: "r1" }, "r1")).toBe(true);
    expect(mayCommit({ state: "IN_FLIGHT", reservationId: "r2" }, "r1")).toBe(false);
    expect(mayCommit({ state: "RECOVERING", reservationId: "r1" }, "r1")).toBe(false);
    expect(mayCommit(undefined, "r1")).toBe(false);
  });

  it("replays a completed key's answer to the same request, refuses a different one, and answers in use before completion", () => {
    const completed = { requestHash: "h", state: "COMPLETED" as const, hasAnswer: true };
    expect(decideExistingKey(completed, "h")).toBe("replay");
    expect(decideExistingKey(completed, "other")).toBe("reused");
    expect(decideExistingKey({ ...completed, state: "IN_FLIGHT" }, "h")).toBe("in_use");
    expect(decideExistingKey({ ...completed, state: "RECOVERING" }, "h")).toBe("in_use");
    expect(decideExistingKey({ ...completed, state: "IN_FLIGHT" }, "other")).toBe("reused");
  });

  it("keeps an answer for the retention and never caches it for less than a second", () => {
    const now = new Date("2026-01-02T00:00:00.000Z");
    expect(retentionCutoff(now, 24).toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(secondsLeftOfRetention(new Date("2026-01-01T12:00:00.000Z"), now, 24)).toBe(43_200);
    expect(secondsLeftOfRetention(new Date("2025-12-01T00:00:00.000Z"), now, 24)).toBe(1);
  });
});
