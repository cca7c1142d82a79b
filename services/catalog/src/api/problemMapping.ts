import { ProblemError, problems } from "@app/shared";
import type { ShortItem } from "../domain/reservation";

// Every business outcome that is not a success, mapped to its problem code in one place.
export const catalogProblems = {
  productNotFound: () => problems.notFound("PRODUCT_NOT_FOUND", "No product with this id."),
  skuTaken: (sku: string) =>
    problems.conflict("SKU_TAKEN", `A product with sku ${sku} already exists.`),
  preconditionRequired: () =>
    new ProblemError({
      status: 428,
      code: "PRECONDITION_REQUIRED",
      title: "Precondition required",
      detail:
        "Send If-Match with the ETag you read, or expectedVersion, so no change made since is overwritten.",
    }),
  /** `currentETag`, when known, lets the client retry without another read. */
  preconditionFailed: (currentETag?: string) =>
    new ProblemError({
      status: 412,
      code: "PRECONDITION_FAILED",
      title: "Precondition failed",
      detail: "The resource changed since the ETag you sent; read it again.",
      headers: currentETag ? { ETag: currentETag } : undefined,
    }),
  stockVersionConflict: (currentVersion: number) =>
    problems.conflict(
      "STOCK_VERSION_CONFLICT",
      "The stock changed since the version you sent; read it again.",
      { currentVersion },
    ),
  outOfStock: (shortItems: ShortItem[]) =>
    problems.conflict("OUT_OF_STOCK", "Not enough stock for some lines; nothing was reserved.", {
      shortItems,
    }),
  productsMissing: (missingProductIds: string[]) =>
    new ProblemError({
      status: 422,
      code: "PRODUCT_NOT_FOUND",
      title: "Unprocessable request",
      detail: "Some products do not exist; nothing was reserved.",
      extensions: { missingProductIds },
    }),
  contention: () =>
    problems.unavailable("STOCK_CONTENTION", "The stock is changing too fast; try again.", 1),
  reservationNotFound: () =>
    problems.notFound("RESERVATION_NOT_FOUND", "No reservation with this id."),
  reservationConfirmed: () =>
    problems.conflict(
      "RESERVATION_CONFIRMED",
      "The reservation backs an order; only that order's cancellation releases it.",
    ),
  reservationReleased: () =>
    problems.conflict(
      "RESERVATION_RELEASED",
      "The reservation was released; its stock is gone back.",
    ),
};
