import type { Logger } from "@app/shared";
import { sweepDecision } from "../domain/reservation";
import type {
  CatalogMetrics,
  Clock,
  ReservationAbandonment,
  ProductCache,
  ReservationStore,
  SweepReport,
} from "./ports";

export interface SweepDeps {
  reservations: ReservationStore;
  orders: ReservationAbandonment;
  cache: ProductCache;
  metrics: CatalogMetrics;
  clock: Clock;
  logger: Logger;
}

/**
 * Settles reservations past their TTL that no event settled: the order service says whether
 * an order holds each one; NO_ORDER releases, ORDER_EXISTS confirms, anything else waits.
 */
export async function sweepExpiredReservations(
  deps: SweepDeps,
  batchSize: number,
): Promise<SweepReport> {
  const report = await deps.reservations.sweepExpired(
    batchSize,
    deps.clock.now(),
    async (reservationId) => sweepDecision(await deps.orders.abandonUnlessOrdered(reservationId)),
  );
  for (const _ of report.confirmed) deps.metrics.settled("confirmed", "sweeper");
  for (const _ of report.released) deps.metrics.settled("released", "sweeper");
  if (report.releasedProductIds.length) await deps.cache.invalidate(report.releasedProductIds);
  if (report.confirmed.length || report.released.length || report.left.length) {
    deps.logger.info("expired reservations swept", {
      confirmed: report.confirmed.length,
      released: report.released.length,
      left: report.left.length,
    });
  }
  return report;
}
