export type ReservationStatus = "RESERVED" | "CONFIRMED" | "RELEASED";

export interface ReservationLine {
  productId: string;
  quantity: number;
}

/** A reserved line with the price and names at the moment of reservation (the order snapshots them). */
export interface ReservedItem {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  currency: string;
}

export interface Reservation {
  reservationId: string;
  status: ReservationStatus;
  expiresAt: Date;
  items: ReservedItem[];
}

export interface ShortItem {
  productId: string;
  requested: number;
  available: number;
}

/**
 * One line per product, sorted by product id: every transaction that touches several stock
 * rows takes their locks in this order, so two multi-line reservations cannot deadlock.
 */
export function normalizeLines(lines: ReservationLine[]): ReservationLine[] {
  const byProduct = new Map<string, number>();
  for (const line of lines)
    byProduct.set(line.productId, (byProduct.get(line.productId) ?? 0) + line.quantity);
  return [...byProduct.entries()]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

export function shortLines(
  lines: ReservationLine[],
  available: ReadonlyMap<string, number>,
): ShortItem[] {
  return lines
    .map((line) => ({
      productId: line.productId,
      requested: line.quantity,
      available: available.get(line.productId) ?? 0,
    }))
    .filter((line) => line.available < line.requested);
}

/** What confirming does from each status: released stock cannot be confirmed back. */
export function confirmTransition(
  status: ReservationStatus,
): "confirm" | "already_confirmed" | "released" {
  if (status === "RESERVED") return "confirm";
  if (status === "CONFIRMED") return "already_confirmed";
  return "released";
}

/**
 * Why stock is being given back: the order was cancelled (its own ORDER_CANCELLED), or the
 * order service says no order was created from the reservation.
 */
export type ReleaseCause = "order_cancelled" | "no_order";

/**
 * Releasing returns the stock from RESERVED, and only once. A CONFIRMED reservation backs an
 * order that exists: only that order's cancellation may return its stock.
 */
export function releaseTransition(
  status: ReservationStatus,
  cause: ReleaseCause,
): "release" | "already_released" | "confirmed" {
  if (status === "RELEASED") return "already_released";
  if (status === "CONFIRMED" && cause !== "order_cancelled") return "confirmed";
  return "release";
}

/** The order service's answer about an expired reservation, and what the sweeper does with it. */
export type OrderState = "ORDER_EXISTS" | "NO_ORDER" | "PENDING" | "UNKNOWN";
export type SweepDecision = "CONFIRM" | "RELEASE" | "LEAVE";

export function sweepDecision(state: OrderState): SweepDecision {
  if (state === "ORDER_EXISTS") return "CONFIRM";
  // NO_ORDER is final: the order service never creates an order with this reservation afterwards.
  if (state === "NO_ORDER") return "RELEASE";
  // In flight or unreachable: releasing now could take stock from an order about to exist.
  return "LEAVE";
}
