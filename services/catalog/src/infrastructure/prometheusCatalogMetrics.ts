import { declareCounters, type Metrics } from "@app/shared";
import type { CatalogMetrics, ReservationOutcome } from "../application/ports";
import type { CacheMetrics, CacheName, CacheResult } from "./redisProductCache";

/** The catalog's domain metrics; names match the log fields. */
export class PrometheusCatalogMetrics implements CatalogMetrics, CacheMetrics {
  private readonly counters;

  constructor(metrics: Metrics) {
    this.counters = declareCounters(metrics, "catalog", {
      reservations: ["reservations_total", "Reservation requests by outcome", ["outcome"]],
      conflictRetries: [
        "stock_version_conflict_retries_total",
        "Reservation transactions retried because a stock version moved",
      ],
      settlements: [
        "reservation_settlements_total",
        "Reservations confirmed or released, by source",
        ["action", "source"],
      ],
      cacheLookups: ["cache_lookups_total", "Product cache lookups by result", ["cache", "result"]],
      events: ["events_total", "Order events by outcome", ["outcome", "event_type"]],
    });
  }

  reservation(outcome: ReservationOutcome): void {
    this.counters.reservations.inc({ outcome });
  }

  versionConflictRetry(): void {
    this.counters.conflictRetries.inc();
  }

  settled(action: "confirmed" | "released", source: "api" | "event" | "sweeper"): void {
    this.counters.settlements.inc({ action, source });
  }

  cacheLookup(cache: CacheName, result: CacheResult): void {
    this.counters.cacheLookups.inc({ cache, result });
  }

  eventOutcome(outcome: string, eventType: string): void {
    this.counters.events.inc({ outcome, event_type: eventType });
  }
}
