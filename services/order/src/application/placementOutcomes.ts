import {
  ProblemError,
  problemBody,
  problems,
  type ProblemExtensions,
  type ProblemInit,
} from "@app/shared";
import type { StoredResponse } from "../domain/idempotency";
import { orderView, type Order } from "../domain/order";
import type { ShortLine } from "./ports";

/** Outcomes that are the request's final answer: stored against the key and replayed. */
export type FinalOutcome =
  | { kind: "created"; order: Order }
  | { kind: "out_of_stock"; shortItems: ShortLine[] }
  | { kind: "products_missing"; productIds: string[] }
  | { kind: "payment_declined"; reason: string }
  | { kind: "currency_mismatch"; currencies: string[] };

export type PlacementResult =
  | {
      kind: "answered";
      outcome: FinalOutcome["kind"] | "replayed";
      response: StoredResponse;
      replayed: boolean;
    }
  | { kind: "key_in_use"; retryAfterSeconds: number }
  | { kind: "key_reused" }
  | { kind: "dependency_unavailable"; retryAfterSeconds: number };

/**
 * The answer a final outcome gets. It is stored with the key in the same transaction as the
 * order, as the text that was sent, so every replay is the first answer byte for byte (a later
 * change of this rendering cannot alter a stored answer); `api/` sends first answers and replays
 * alike.
 */
export function finalAnswer(outcome: FinalOutcome): StoredResponse {
  if (outcome.kind === "created") return { status: 201, body: orderView(outcome.order) };
  const problem = finalProblem(outcome);
  return { status: problem.status, body: problemBody(problem) };
}

const unprocessable = (code: string, detail: string, extensions: ProblemExtensions) =>
  new ProblemError({ status: 422, code, title: "Unprocessable request", detail, extensions });

function finalProblem(outcome: Exclude<FinalOutcome, { kind: "created" }>): ProblemInit {
  switch (outcome.kind) {
    case "out_of_stock":
      return problems.conflict(
        "OUT_OF_STOCK",
        "Not enough stock for some lines; nothing was reserved or charged.",
        { shortItems: outcome.shortItems },
      ).problem;
    case "products_missing":
      return unprocessable(
        "PRODUCT_NOT_FOUND",
        "Some products do not exist; nothing was reserved or charged.",
        { missingProductIds: outcome.productIds },
      ).problem;
    case "payment_declined":
      return {
        status: 402,
        code: "PAYMENT_DECLINED",
        title: "Payment declined",
        detail: `The payment was declined (${outcome.reason}); the reserved stock was returned.`,
      };
    case "currency_mismatch":
      return unprocessable(
        "CURRENCY_MISMATCH",
        "The products are priced in different currencies; one order is paid in one currency.",
        { currencies: outcome.currencies },
      ).problem;
  }
}
