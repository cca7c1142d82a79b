import { randomUUID } from "node:crypto";
import { toOutboundEvent, type OutboxRow } from "../src/domain/outboxEvent";
import { decideAfterFailure, deferredUntil } from "../src/domain/retryPolicy";

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

  it("spends no attempt on a send Kafka could not take: the row only steps aside for the base backoff", () => {
    expect(deferredUntil(settings, now)).toEqual(new Date(now.getTime() + 100));
  });
});

describe("envelope rebuild", () => {
  it("ships a stored envelope as written, its version and aggregate type included", () => {
    const envelope = {
      eventId: randomUUID(),
      eventType: "ORDER_COMPLETED",
      eventVersion: 2,
      occurredAt: "2026-01-01T00:00:00.000+02:00",
      aggregateType: "order" as const,
      aggregateId: randomUUID(),
      payload: { id: "x", status: "COMPLETED" },
    };
    const row: OutboxRow = {
      id: 7,
      eventId: envelope.eventId,
      aggregateType: "order",
      aggregateId: envelope.aggregateId,
      eventType: envelope.eventType,
      envelope,
      payload: { ignored: true },
      requestId: null,
      traceparent: null,
      attempts: 0,
      createdAt: now,
    };
    expect(toOutboundEvent(row)).toEqual({
      rowId: 7,
      aggregateId: envelope.aggregateId,
      requestId: null,
      traceparent: null,
      envelope,
    });
  });

  it("puts the columns back into the contract envelope with occurredAt from created_at", () => {
    const row: OutboxRow = {
      id: 1,
      eventId: randomUUID(),
      aggregateType: "order",
      aggregateId: randomUUID(),
      eventType: "ORDER_CANCELLED",
      envelope: null,
      payload: { id: "x", status: "CANCELLED" },
      requestId: "req-1",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      attempts: 0,
      createdAt: now,
    };
    expect(toOutboundEvent(row)).toEqual({
      rowId: 1,
      aggregateId: row.aggregateId,
      requestId: "req-1",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
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
