import type { EventEnvelope } from "@app/shared";

/** One outbox row as the relay needs it (the order service's outbox_events table). */
export interface OutboxRow {
  id: number;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  /** The envelope's payload; the other envelope fields live in their own columns. */
  payload: Record<string, unknown>;
  requestId: string | null;
  /** The trace of the work that wrote the event, continued by its publish. */
  traceparent: string | null;
  attempts: number;
  createdAt: Date;
}

export interface OutboundEvent {
  rowId: number;
  aggregateId: string;
  envelope: EventEnvelope;
  requestId: string | null;
  traceparent: string | null;
}

/**
 * The order service stores the envelope split into columns; the relay puts it back together.
 * occurredAt is the row's created_at, written in the same transaction as the change itself.
 */
export function toOutboundEvent(row: OutboxRow): OutboundEvent {
  return {
    rowId: row.id,
    aggregateId: row.aggregateId,
    requestId: row.requestId,
    traceparent: row.traceparent,
    envelope: {
      eventId: row.eventId,
      eventType: row.eventType,
      eventVersion: 1,
      occurredAt: row.createdAt.toISOString(),
      aggregateType: "order",
      aggregateId: row.aggregateId,
      payload: row.payload,
    },
  };
}
