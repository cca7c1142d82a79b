import type { Clock, OrderStore, ReservationState } from "./ports";

/** The catalog's sweeper asks before it returns an expired reservation's stock. */
export function reservationState(
  deps: { orders: OrderStore; clock: Clock },
  reservationId: string,
): Promise<ReservationState> {
  return deps.orders.reservationState(reservationId, deps.clock.now());
}
