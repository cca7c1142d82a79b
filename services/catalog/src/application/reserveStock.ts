import { jitteredBackoffMs, type Logger } from "@app/shared";
import {
  normalizeLines,
  type Reservation,
  type ReservationLine,
  type ShortItem,
} from "../domain/reservation";
import type { CatalogMetrics, Clock, ProductCache, ReservationStore } from "./ports";

export type ReserveResult =
  | { kind: "reserved"; reservation: Reservation }
  | { kind: "replayed"; reservation: Reservation }
  | { kind: "products_missing"; productIds: string[] }
  | { kind: "out_of_stock"; shortItems: ShortItem[] }
  | { kind: "contention"; attempts: number };

export interface ReserveSettings {
  ttlSeconds: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface ReserveDeps {
  reservations: ReservationStore;
  cache: ProductCache;
  metrics: CatalogMetrics;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  settings: ReserveSettings;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reserves every line or none. Each attempt is one transaction with version-checked stock
 * updates; when a version moved underneath it, the whole transaction is retried after a
 * jittered pause, a bounded number of times. Idempotent on reservationId.
 */
export async function reserveStock(
  deps: ReserveDeps,
  input: { reservationId: string; items: ReservationLine[] },
): Promise<ReserveResult> {
  const { settings } = deps;
  const lines = normalizeLines(input.items);
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + settings.ttlSeconds * 1000);
    const result = await deps.reservations.tryReserve(input.reservationId, lines, expiresAt, now);
    if (result.kind !== "conflict") {
      deps.metrics.reservation(result.kind);
      if (result.kind === "reserved") await deps.cache.invalidate(lines.map((l) => l.productId));
      return result;
    }
    if (attempt < settings.maxAttempts) {
      deps.metrics.versionConflictRetry();
      await sleep(jitteredBackoffMs(attempt, settings.backoffBaseMs, settings.backoffMaxMs));
    }
  }
  deps.metrics.reservation("contention");
  deps.logger.warn("reservation gave up after version conflicts", {
    reservationId: input.reservationId,
    attempts: settings.maxAttempts,
  });
  return { kind: "contention", attempts: settings.maxAttempts };
}
