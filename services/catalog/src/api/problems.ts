import { ProblemError, problems, unmappedFailure } from "@app/shared";
import type { ReserveResult } from "../application/reserveStock";

/** Every expected failure the catalog answers with a problem. */
export type CatalogFailure =
  | Exclude<ReserveResult, { kind: "reserved" | "replayed" }>
  | { kind: "product_not_found" }
  | { kind: "sku_taken"; sku: string }
  | { kind: "precondition_required" }
  /** `currentETag`, when known, lets the client retry without another read. */
  | { kind: "precondition_failed"; currentETag?: string }
  | { kind: "stock_version_conflict"; currentVersion: number }
  | { kind: "reservation_not_found" }
  | { kind: "reservation_confirmed" }
  | { kind: "reservation_released" };

/** Every expected failure and the problem the client sees; the one place for it. */
export function problemFor(failure: CatalogFailure): ProblemError {
  switch (failure.kind) {
    case "product_not_found":
      return problems.notFound("PRODUCT_NOT_FOUND", "No product with this id.");
    case "sku_taken":
      return problems.conflict("SKU_TAKEN", `A product with sku ${failure.sku} already exists.`);
    case "precondition_required":
      return new ProblemError({
        status: 428,
        code: "PRECONDITION_REQUIRED",
        title: "Precondition required",
        detail:
          "Send If-Match with the ETag you read, or expectedVersion, so no change made since is overwritten.",
      });
    case "precondition_failed":
      return new ProblemError({
        status: 412,
        code: "PRECONDITION_FAILED",
        title: "Precondition failed",
        detail: "The resource changed since the ETag you sent; read it again.",
        headers: failure.currentETag ? { ETag: failure.currentETag } : undefined,
      });
    case "stock_version_conflict":
      return problems.conflict(
        "STOCK_VERSION_CONFLICT",
        "The stock changed since the version you sent; read it again.",
        { currentVersion: failure.currentVersion },
      );
    case "out_of_stock":
      return problems.conflict(
        "OUT_OF_STOCK",
        "Not enough stock for some lines; nothing was reserved.",
        { shortItems: failure.shortItems },
      );
    case "products_missing":
      return new ProblemError({
        status: 422,
        code: "PRODUCT_NOT_FOUND",
        title: "Unprocessable request",
        detail: "Some products do not exist; nothing was reserved.",
        extensions: { missingProductIds: failure.productIds },
      });
    case "contention":
      return problems.unavailable(
        "STOCK_CONTENTION",
        "The stock is changing too fast; try again.",
        1,
      );
    case "reservation_not_found":
      return problems.notFound("RESERVATION_NOT_FOUND", "No reservation with this id.");
    case "reservation_confirmed":
      return problems.conflict(
        "RESERVATION_CONFIRMED",
        "The reservation backs an order; only that order's cancellation releases it.",
      );
    case "reservation_released":
      return problems.conflict(
        "RESERVATION_RELEASED",
        "The reservation was released; its stock is gone back.",
      );
    default:
      return unmappedFailure(failure);
  }
}
