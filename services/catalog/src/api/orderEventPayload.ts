import { orderEventPayloadSchema, PermanentEventError, type EventEnvelope } from "@app/shared";
import type { OrderEvent } from "../application/handleOrderEvent";

// The part of the contract's payload (docs/asyncapi.yaml) the catalog acts on.
const payloadSchema = orderEventPayloadSchema.pick({ reservationId: true });

/** Only the events the catalog acts on need a reservation id; the others pass untouched. */
const RELEVANT = new Set(["ORDER_CREATED", "ORDER_CANCELLED"]);

/** The catalog's view of an order event; null for types it ignores; throws for a broken payload. */
export function toOrderEvent(envelope: EventEnvelope): OrderEvent | null {
  if (!RELEVANT.has(envelope.eventType)) return null;
  const payload = payloadSchema.safeParse(envelope.payload);
  if (!payload.success)
    throw new PermanentEventError(`${envelope.eventType} ${envelope.eventId} has no reservationId`);
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    reservationId: payload.data.reservationId,
  };
}
