import { problemBody, ProblemError, problems, type ProblemInit } from "@app/shared";
import type { FinalOutcome } from "../application/placementOutcomes";
import type { StoredResponse } from "../domain/idempotency";
import { orderView, type OrderStatus } from "../domain/order";

// Every business outcome that is not a plain success, mapped to its problem code in one place.
export const orderProblems = {
  keyMissing: () =>
    new ProblemError({
      status: 400,
      code: "IDEMPOTENCY_KEY_MISSING",
      title: "Idempotency-Key missing",
      detail: "Send an Idempotency-Key header with every order placement.",
    }),
  keyInvalid: () =>
    problems.validation(
      [{ path: "headers.idempotency-key", message: "1..255 visible ASCII characters" }],
      "The Idempotency-Key header is not valid.",
    ),
  keyInUse: (retryAfterSeconds: number) =>
    new ProblemError({
      status: 409,
      code: "IDEMPOTENCY_KEY_IN_USE",
      title: "Conflict",
      detail: "A request with this Idempotency-Key is still being processed; retry shortly.",
      headers: { "Retry-After": String(retryAfterSeconds) },
    }),
  keyReused: () =>
    new ProblemError({
      status: 422,
      code: "IDEMPOTENCY_KEY_REUSED",
      title: "Unprocessable request",
      detail: "This Idempotency-Key was used with a different request body.",
    }),
  dependencyUnavailable: (retryAfterSeconds: number) =>
    problems.unavailable(
      "DEPENDENCY_UNAVAILABLE",
      "A service this order needs is unavailable; retry later with the same Idempotency-Key.",
      retryAfterSeconds,
    ),
  orderNotFound: () => problems.notFound("ORDER_NOT_FOUND", "No order with this id."),
  notCancellable: (from: OrderStatus) =>
    problems.conflict("ORDER_NOT_CANCELLABLE", `An order in status ${from} cannot be cancelled.`, {
      orderStatus: from,
    }),
  notCompletable: (from: OrderStatus) =>
    problems.conflict("ORDER_NOT_COMPLETABLE", `An order in status ${from} cannot be completed.`, {
      orderStatus: from,
    }),
  badReservationId: () =>
    problems.validation(
      [{ path: "reservationId", message: "must be a UUID" }],
      "The request path is not valid.",
    ),
};

const FINAL_PROBLEMS: Record<
  Exclude<FinalOutcome["kind"], "created">,
  (o: never) => ProblemInit
> = {
  out_of_stock: (o: Extract<FinalOutcome, { kind: "out_of_stock" }>) => ({
    status: 409,
    code: "OUT_OF_STOCK",
    title: "Conflict",
    detail: "Not enough stock for some lines; nothing was reserved or charged.",
    extensions: { shortItems: o.shortItems },
  }),
  products_missing: (o: Extract<FinalOutcome, { kind: "products_missing" }>) => ({
    status: 422,
    code: "PRODUCT_NOT_FOUND",
    title: "Unprocessable request",
    detail: "Some products do not exist; nothing was reserved or charged.",
    extensions: { missingProductIds: o.productIds },
  }),
  payment_declined: (o: Extract<FinalOutcome, { kind: "payment_declined" }>) => ({
    status: 402,
    code: "PAYMENT_DECLINED",
    title: "Payment declined",
    detail: `The payment was declined (${o.reason}); the reserved stock was returned.`,
  }),
  currency_mismatch: (o: Extract<FinalOutcome, { kind: "currency_mismatch" }>) => ({
    status: 422,
    code: "CURRENCY_MISMATCH",
    title: "Unprocessable request",
    detail: "The products are priced in different currencies; one order is paid in one currency.",
    extensions: { currencies: o.currencies },
  }),
};

/** The stored (and replayed) answer of a final placement outcome. */
export function renderFinalOutcome(outcome: FinalOutcome): StoredResponse {
  if (outcome.kind === "created") return { status: 201, body: orderView(outcome.order) };
  const problem = (FINAL_PROBLEMS[outcome.kind] as (o: FinalOutcome) => ProblemInit)(outcome);
  return { status: problem.status, body: problemBody(problem) };
}
