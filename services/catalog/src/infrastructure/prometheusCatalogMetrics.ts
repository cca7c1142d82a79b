import type { Metrics } from "@app/shared";
import type { CatalogMetrics, ReservationOutcome } from "../application/ports";
import type { CacheMetrics, CacheName, CacheResult } from "./redisProductCache";

/** The catalog's domain metrics; names match the log fields. */
export class PrometheusCatalogMetrics implements CatalogMetrics, CacheMetrics {
  private readonly reservations;
  private readonly conflictRetries;
  private readonly settlements;
  private readonly cacheLookups;
  private readonly events;

  constructor(metrics: Metrics) {
    this.reservations = metrics.counter(
      "catalog_reservations_total",
      "Reservation requests by outcome",
      ["outcome"],
    );
    this.conflictRetries = metrics.counter(
      "catalog_stock_version_conflict_retries_total",
      "Reservation transactions retried because a stock version moved",
    );
    this.settlements = metrics.counter(
      "catalog_reservation_settlements_total",
      "Reservations confirmed or released, by source",
      ["action", "source"],
    );
    this.cacheLookups = metrics.counter(
      "catalog_cache_lookups_total",
      "Product cache lookups by result",
      ["cache", "result"],
    );
    this.events = metrics.counter("catalog_events_total", "Order events by outcome", [
      "outcome",
      "event_type",
    ]);
  }

  reservation(outcome: ReservationOutcome): void {
    this.reservations.inc({ outcome });
  }

  versionConflictRetry(): void {
    this.conflictRetries.inc();
  }

  settled(action: "confirmed" | "released", source: "api" | "event" | "sweeper"): void {
    this.settlements.inc({ action, source });
  }

  cacheLookup(cache: CacheName, result: CacheResult): void {
    this.cacheLookups.inc({ cache, result });
  }

  eventOutcome(outcome: string, eventType: string): void {
    this.events.inc({ outcome, event_type: eventType });
  }
}
