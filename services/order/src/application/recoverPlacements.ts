import type { Logger } from "@app/shared";
import { paymentReference } from "../domain/payment";
import { finalAnswer } from "./placementOutcomes";
import type {
  CatalogReservations,
  Clock,
  OrderMetrics,
  PaymentGateway,
  PlacementStore,
} from "./ports";

export interface RecoveryDeps {
  keys: PlacementStore;
  catalog: CatalogReservations;
  payment: PaymentGateway;
  metrics: OrderMetrics;
  clock: Clock;
  logger: Logger;
  settings: { leaseMs: number; batchSize: number };
}

export interface RecoveryReport {
  completed: number;
  freed: number;
  deferred: number;
}

/**
 * Resolves placements whose process died (their lease ran out): an order that exists completes
 * its key; otherwise the reservation goes back to the catalog, the payment authorization is
 * voided and the key is free again.
 */
export async function recoverPlacements(deps: RecoveryDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = { completed: 0, freed: 0, deferred: 0 };
  const now = deps.clock.now();
  const expired = await deps.keys.expiredPlacements(now, deps.settings.batchSize);
  for (const placement of expired) {
    const claim = await deps.keys.claimForRecovery(
      placement,
      (order) => finalAnswer({ kind: "created", order }),
      now,
      new Date(now.getTime() + deps.settings.leaseMs),
    );
    if (claim.kind === "gone") continue;
    if (claim.kind === "order_exists") {
      report.completed++;
      deps.metrics.recovery("completed");
      continue;
    }
    const released = await deps.catalog.release(placement.reservationId);
    if (released.kind === "unavailable") {
      // Stays RECOVERING; the next pass (after the lease) tries again.
      report.deferred++;
      deps.metrics.recovery("deferred");
      continue;
    }
    // No order came of it: its authorization, if the placement got one, is voided before a retry
    // of the key may authorize again under the same reference.
    const voided = await deps.payment.void(paymentReference(placement.userId, placement.key));
    if (voided.kind === "unavailable") {
      report.deferred++;
      deps.metrics.recovery("deferred");
      continue;
    }
    await deps.keys.free(placement);
    report.freed++;
    deps.metrics.recovery("freed");
    deps.logger.info("abandoned placement recovered", { reservationId: placement.reservationId });
  }
  return report;
}
