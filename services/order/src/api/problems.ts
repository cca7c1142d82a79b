import { ProblemError, problems, unmappedFailure } from "@app/shared";
import type { PlacementResult } from "../application/placementOutcomes";
import type { OrderStatus } from "../domain/order";

/**
 * Every expected failure the order service answers with a problem, but a placement's final
 * answers: those are stored and replayed as rendered (application/placementOutcomes' finalAnswer).
 */
export type OrderFailure =
  | Exclude<PlacementResult, { kind: "answered" }>
  | { kind: "idempotency_key_missing" }
  | { kind: "idempotency_key_invalid" }
  | { kind: "order_not_found" }
  | { kind: "order_not_cancellable"; from: OrderStatus }
  | { kind: "order_not_completable"; from: OrderStatus }
  | { kind: "bad_reservation_id" };

/** Every expected failure and the problem the client sees; the one place for it. */
export function problemFor(failure: OrderFailure): ProblemError {
  switch (failure.kind) {
    case "idempotency_key_missing":
      return new ProblemError({
        status: 400,
        code: "IDEMPOTENCY_KEY_MISSING",
        title: "Idempotency-Key missing",
        detail: "Send an Idempotency-Key header with every order placement.",
      });
    case "idempotency_key_invalid":
      return problems.validation(
        [{ path: "headers.idempotency-key", message: "1..255 visible ASCII characters" }],
        "The Idempotency-Key header is not valid.",
      );
    case "key_in_use":
      return problems.retryLater(
        409,
        "IDEMPOTENCY_KEY_IN_USE",
        "Conflict",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        failure.retryAfterSeconds,
      );
    case "key_reused":
      return new ProblemError({
        status: 422,
        code: "IDEMPOTENCY_KEY_REUSED",
        title: "Unprocessable request",
        detail: "This Idempotency-Key was used with a different request body.",
      });
    case "dependency_unavailable":
      return problems.unavailable(
        "DEPENDENCY_UNAVAILABLE",
        "A service this order needs is unavailable; retry later with the same Idempotency-Key.",
        failure.retryAfterSeconds,
      );
    case "order_not_found":
      return problems.notFound("ORDER_NOT_FOUND", "No order with this id.");
    case "order_not_cancellable":
      return problems.conflict(
        "ORDER_NOT_CANCELLABLE",
        `An order in status ${failure.from} cannot be cancelled.`,
        { orderStatus: failure.from },
      );
    case "order_not_completable":
      return problems.conflict(
        "ORDER_NOT_COMPLETABLE",
        `An order in status ${failure.from} cannot be completed.`,
        { orderStatus: failure.from },
      );
    case "bad_reservation_id":
      return problems.validation(
        [{ path: "reservationId", message: "must be a UUID" }],
        "The request path is not valid.",
      );
    default:
      return unmappedFailure(failure);
  }
}
