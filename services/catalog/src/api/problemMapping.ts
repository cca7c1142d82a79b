import { ProblemError, problems } from "@app/shared";
import type { ShortItem } from "../domain/reservation";

// Every business outcome that is not a success, mapped to its problem code in one place.
export const catalogProblems = {
  productNotFound: () => problems.notFound("PRODUCT_NOT_FOUND", "No product with this id."),
  skuTaken: (sku: string) =>
    problems.conflict("SKU_TAKEN", `A product with sku ${sku} already exists.`),
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
  reservationReleased: () =>
    problems.conflict(
      "RESERVATION_RELEASED",
      "The reservation was released; its stock is gone back.",
    ),
};
