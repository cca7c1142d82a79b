import { ProblemError, problems } from "@app/shared";
import type { OrderStatus } from "../domain/order";

// Every business outcome that is not a plain success, mapped to its problem code in one place;
// a placement's final answers (stored and replayed) are application/placementOutcomes' finalAnswer.
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
