import type { StoredResponse } from "../domain/idempotency";
import type { Order } from "../domain/order";
import type { ShortLine } from "./ports";

/** Outcomes that are the request's final answer: stored against the key and replayed. */
export type FinalOutcome =
  | { kind: "created"; order: Order }
  | { kind: "out_of_stock"; shortItems: ShortLine[] }
  | { kind: "products_missing"; productIds: string[] }
  | { kind: "payment_declined"; reason: string }
  | { kind: "currency_mismatch"; currencies: string[] };

/** The api layer's rendering of a final outcome, so a replay answers byte for byte the same. */
export type RenderFinal = (outcome: FinalOutcome) => StoredResponse;

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
