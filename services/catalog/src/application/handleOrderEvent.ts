import type { Logger } from "@app/shared";
import type { EventMark } from "./ports";
import { confirmReservation, releaseReservation, type SettleDeps } from "./settleReservation";

export interface OrderEvent {
  eventId: string;
  eventType: string;
  reservationId: string;
}

export type EventHandlingOutcome = "processed" | "duplicate" | "skipped";

/**
 * ORDER_CREATED confirms the order's reservation, ORDER_CANCELLED releases it; the event id is
 * recorded in the transaction of the effect, so a redelivered event changes nothing.
 */
export async function handleOrderEvent(
  deps: SettleDeps & { logger: Logger },
  event: OrderEvent,
): Promise<EventHandlingOutcome> {
  const mark: EventMark = { eventId: event.eventId, eventType: event.eventType };
  const fields = {
    eventId: event.eventId,
    eventType: event.eventType,
    reservationId: event.reservationId,
  };
  if (event.eventType === "ORDER_CREATED") {
    const result = await confirmReservation(deps, event.reservationId, "event", mark);
    if (result.kind === "duplicate_event") return "duplicate";
    if (result.kind === "confirmed" || result.kind === "already_confirmed") return "processed";
    deps.logger.warn("order created for a reservation that is not held", {
      ...fields,
      state: result.kind,
    });
    return "skipped";
  }
  if (event.eventType === "ORDER_CANCELLED") {
    const result = await releaseReservation(deps, event.reservationId, "event", mark);
    if (result.kind === "duplicate_event") return "duplicate";
    if (result.kind === "not_found") {
      deps.logger.warn("order cancelled for an unknown reservation", fields);
      return "skipped";
    }
    return "processed";
  }
  return "skipped";
}
