import type {
  CatalogMetrics,
  Clock,
  ConfirmResult,
  EventMark,
  ProductCache,
  ReleaseResult,
  ReservationStore,
} from "./ports";

export interface SettleDeps {
  reservations: ReservationStore;
  cache: ProductCache;
  metrics: CatalogMetrics;
  clock: Clock;
}

type Source = "api" | "event";

/** RESERVED -> CONFIRMED; again: the same answer; a released reservation stays released. */
export async function confirmReservation(
  deps: SettleDeps,
  reservationId: string,
  source: Source,
  event?: EventMark,
): Promise<ConfirmResult> {
  const result = await deps.reservations.confirm(reservationId, deps.clock.now(), event);
  // No cache invalidation: confirming changes the reservation only; the stock left the product
  // (and its cached copy was invalidated) when it was reserved.
  if (result.kind === "confirmed") deps.metrics.settled("confirmed", source);
  return result;
}

/**
 * Returns the reservation's stock exactly once: from RESERVED, or from CONFIRMED on its order's
 * own cancellation (the event) only, so no other caller can free stock an existing order holds.
 */
export async function releaseReservation(
  deps: SettleDeps,
  reservationId: string,
  source: Source,
  event?: EventMark,
): Promise<ReleaseResult> {
  const cause = event?.eventType === "ORDER_CANCELLED" ? "order_cancelled" : "no_order";
  const result = await deps.reservations.release(reservationId, cause, deps.clock.now(), event);
  if (result.kind === "released") {
    deps.metrics.settled("released", source);
    await deps.cache.invalidate(result.reservation.items.map((i) => i.productId));
  }
  return result;
}
