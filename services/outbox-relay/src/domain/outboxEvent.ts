import type { EventEnvelope } from "@app/shared";

/** One outbox row as the relay needs it (the order service's outbox_events table). */
export interface OutboxRow {
  id: number;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  /** The envelope as the order service wrote it; null on rows written before it was stored. */
  envelope: EventEnvelope | null;
  /** The envelope's payload, for rows without `envelope`. */
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

/** The row's envelope as written, or the one a row from before migration 0006 stands for. */
export function toOutboundEvent(row: OutboxRow): OutboundEvent {
  return {
    rowId: row.id,
    aggregateId: row.aggregateId,
    requestId: row.requestId,
    traceparent: row.traceparent,
    envelope: row.envelope ?? legacyEnvelope(row),
  };
}

/**
 * The previous order service stored the envelope split into columns and wrote only version 1
 * order events; occurredAt is the row's created_at, written in the change's own transaction.
 */
function legacyEnvelope(row: OutboxRow): EventEnvelope {
  return {
    eventId: row.eventId,
    eventType: row.eventType,
    eventVersion: 1,
    occurredAt: row.createdAt.toISOString(),
    aggregateType: "order",
    aggregateId: row.aggregateId,
    payload: row.payload,
  };
}
