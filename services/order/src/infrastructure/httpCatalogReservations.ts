import { callJson, UpstreamUnreachableError, type JsonResponse, type Logger } from "@app/shared";
import type CircuitBreaker from "opossum";
import { z } from "zod";
import type {
  CatalogReservations,
  ReleaseOutcome,
  RequestedLine,
  ReserveOutcome,
} from "../application/ports";
import {
  createBreaker,
  isBreakerOpen,
  retryAfterSeconds,
  withRetries,
  type BreakerSettings,
  type RetrySettings,
} from "./circuitBreaker";

/** A 5xx, a timeout or an answer outside the documented contract: counts against the breaker. */
class CatalogFailure extends Error {
  override name = "CatalogFailure";
}

/** The catalog's optimistic stock update lost too many races: retry, but the catalog is healthy. */
class StockContention extends Error {
  override name = "StockContention";
}

const reservationSchema = z.object({
  reservationId: z.string(),
  status: z.enum(["RESERVED", "CONFIRMED", "RELEASED"]),
  items: z.array(
    z.object({
      productId: z.string(),
      sku: z.string(),
      name: z.string(),
      quantity: z.number().int(),
      unitPrice: z.number().int(),
      currency: z.string(),
    }),
  ),
});
const outOfStockSchema = z.object({
  code: z.literal("OUT_OF_STOCK"),
  shortItems: z.array(
    z.object({ productId: z.string(), requested: z.number(), available: z.number() }),
  ),
});
const missingSchema = z.object({
  code: z.literal("PRODUCT_NOT_FOUND"),
  missingProductIds: z.array(z.string()),
});

export interface CatalogClientSettings {
  baseUrl: string;
  token: string;
  breaker: BreakerSettings;
  retry: RetrySettings;
}

/**
 * The catalog's internal reservation API behind one circuit breaker. Every call here is
 * idempotent (reserve on its reservationId, release by nature), so each may be retried.
 */
export class HttpCatalogReservations implements CatalogReservations {
  readonly breaker: CircuitBreaker<[string, unknown], JsonResponse>;

  constructor(
    private readonly settings: CatalogClientSettings,
    private readonly logger: Logger,
  ) {
    const base = settings.baseUrl.replace(/\/$/, "");
    // Contention is the catalog working as designed under load, not the catalog failing.
    this.breaker = createBreaker(
      "catalog",
      (path: string, body: unknown) => this.post(`${base}${path}`, body),
      settings.breaker,
      logger,
      (error) => error instanceof StockContention,
    );
  }

  private async post(url: string, body: unknown): Promise<JsonResponse> {
    const response = await callJson(url, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${this.settings.token}` },
      timeoutMs: this.settings.breaker.timeoutMs,
    });
    const code = (response.body as { code?: unknown } | null)?.code;
    if (response.status === 503 && code === "STOCK_CONTENTION")
      throw new StockContention("stock contention at the catalog");
    if (response.status >= 500) throw new CatalogFailure(`catalog answered ${response.status}`);
    return response;
  }

  private call(path: string, body: unknown): Promise<JsonResponse> {
    return withRetries(
      () => this.breaker.fire(path, body),
      this.settings.retry,
      () => true,
    );
  }

  private unavailable(operation: string, reservationId: string, error: unknown) {
    if (!isBreakerOpen(error)) {
      const unexpected = !(
        error instanceof CatalogFailure ||
        error instanceof StockContention ||
        error instanceof UpstreamUnreachableError
      );
      this.logger[unexpected ? "error" : "warn"]("catalog call failed", {
        operation,
        reservationId,
        error: (error as Error).message,
      });
    }
    return {
      kind: "unavailable" as const,
      retryAfterSeconds: retryAfterSeconds(this.settings.breaker),
    };
  }

  async reserve(reservationId: string, items: RequestedLine[]): Promise<ReserveOutcome> {
    try {
      const response = await this.call("/internal/v1/reservations", { reservationId, items });
      if (response.status === 200 || response.status === 201) {
        const reservation = reservationSchema.parse(response.body);
        return { kind: "reserved", status: reservation.status, items: reservation.items };
      }
      const outOfStock = outOfStockSchema.safeParse(response.body);
      if (response.status === 409 && outOfStock.success)
        return { kind: "out_of_stock", shortItems: outOfStock.data.shortItems };
      const missing = missingSchema.safeParse(response.body);
      if (response.status === 422 && missing.success)
        return { kind: "products_missing", productIds: missing.data.missingProductIds };
      throw new CatalogFailure(`unexpected reservation answer ${response.status}`);
    } catch (error) {
      return this.unavailable("reserve", reservationId, error);
    }
  }

  async release(reservationId: string): Promise<ReleaseOutcome> {
    try {
      const response = await this.call(
        `/internal/v1/reservations/${encodeURIComponent(reservationId)}/release`,
        {},
      );
      if (response.status === 200) return { kind: "released" };
      if (response.status === 404) return { kind: "not_found" };
      // The catalog holds the stock for an order that exists: nothing to give back.
      if (response.status === 409) return { kind: "backs_an_order" };
      throw new CatalogFailure(`unexpected release answer ${response.status}`);
    } catch (error) {
      return this.unavailable("release", reservationId, error);
    }
  }
}
