import { randomUUID } from "node:crypto";
import { publishableRows } from "../src/domain/ordering";
import { toOutboundEvent, type OutboxRow } from "../src/domain/outboxEvent";
import { decideAfterFailure } from "../src/domain/retryPolicy";

const settings = { maxAttempts: 4, backoffBaseMs: 100, backoffMaxMs: 250 };
const now = new Date("2026-01-01T00:00:00.000Z");

describe("retry policy", () => {
  it("backs off exponentially up to the cap, counting the attempt", () => {
    expect(decideAfterFailure(0, settings, now)).toEqual({
      kind: "retry",
      attempts: 1,
      availableAt: new Date(now.getTime() + 100),
    });
    expect(decideAfterFailure(1, settings, now)).toEqual({
      kind: "retry",
      attempts: 2,
      availableAt: new Date(now.getTime() + 200),
    });
    expect(decideAfterFailure(2, settings, now)).toEqual({
      kind: "retry",
      attempts: 3,
      availableAt: new Date(now.getTime() + 250),
    });
  });

  it("parks the row as failed once the attempt reaches the maximum", () => {
    expect(decideAfterFailure(3, settings, now)).toEqual({ kind: "failed", attempts: 4 });
  });
});

describe("per-order ordering", () => {
  const a = randomUUID();
  const b = randomUUID();

  it("keeps rows whose order has no earlier pending row outside the batch, in id order", () => {
    const rows = [
      { id: 7, aggregateId: b },
      { id: 3, aggregateId: a },
      { id: 5, aggregateId: a },
    ];
    expect(publishableRows(rows, new Map()).map((r) => r.id)).toEqual([3, 5, 7]);
  });

  it("drops rows after an earlier pending row of the same order held elsewhere, and only those", () => {
    const rows = [
      { id: 3, aggregateId: a },
      { id: 9, aggregateId: a },
      { id: 4, aggregateId: b },
    ];
    expect(publishableRows(rows, new Map([[a, 6]])).map((r) => r.id)).toEqual([3, 4]);
  });
});

describe("envelope rebuild", () => {
  it("puts the columns back into the contract envelope with occurredAt from created_at", () => {
    const row: OutboxRow = {
      id: 1,
      eventId: randomUUID(),
      aggregateType: "order",
      aggregateId: randomUUID(),
      eventType: "ORDER_CANCELLED",
      payload: { id: "x", status: "CANCELLED" },
      requestId: "req-1",
      attempts: 0,
      createdAt: now,
    };
    expect(toOutboundEvent(row)).toEqual({
      rowId: 1,
      aggregateId: row.aggregateId,
      requestId: "req-1",
      envelope: {
        eventId: row.eventId,
        eventType: "ORDER_CANCELLED",
        eventVersion: 1,
        occurredAt: "2026-01-01T00:00:00.000Z",
        aggregateType: "order",
        aggregateId: row.aggregateId,
        payload: { id: "x", status: "CANCELLED" },
      },
    });
  });
});
