import type { Clock, PlacementStore, ReservationState } from "./ports";

/** Whether an order holds the reservation; changes nothing. */
export function reservationState(
  deps: { keys: PlacementStore },
  reservationId: string,
): Promise<ReservationState> {
  return deps.keys.reservationState(reservationId);
}

/**
 * The catalog's sweeper decides to return an expired reservation's stock: unless an order holds
 * it or its placement is still running, the reservation is recorded as abandoned, so no order
 * can be created with it afterwards.
 */
export function abandonReservationUnlessOrdered(
  deps: { keys: PlacementStore; clock: Clock },
  reservationId: string,
): Promise<ReservationState> {
  return deps.keys.abandonUnlessOrdered(reservationId, deps.clock.now());
}
