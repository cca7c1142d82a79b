import { problemViolations, testProblemBodies } from "@app/shared/testing";
import { problemFor, type OrderFailure } from "../src/api/problems";
import { finalAnswer, type FinalOutcome } from "../src/application/placementOutcomes";

// Every problem the order service can answer, live or replayed, obeys RFC 9457: `status` is the
// HTTP status number and no extension takes a standard member's name.
const finalOutcomes: Exclude<FinalOutcome, { kind: "created" }>[] = [
  { kind: "out_of_stock", shortItems: [] },
  { kind: "products_missing", productIds: [] },
  { kind: "payment_declined", reason: "declined" },
  { kind: "currency_mismatch", currencies: ["EUR", "USD"] },
];

const failures: OrderFailure[] = [
  { kind: "idempotency_key_missing" },
  { kind: "idempotency_key_invalid" },
  { kind: "key_in_use", retryAfterSeconds: 1 },
  { kind: "key_reused" },
  { kind: "dependency_unavailable", retryAfterSeconds: 1 },
  { kind: "order_not_found" },
  { kind: "order_not_cancellable", from: "CREATED" },
  { kind: "order_not_completable", from: "CREATED" },
  { kind: "bad_reservation_id" },
];

describe("order problem bodies", () => {
  testProblemBodies(failures, problemFor);

  test.each(finalOutcomes.map((o) => [o.kind, o] as const))(
    "the stored answer of %s keeps status the HTTP status number",
    (_kind, outcome) => {
      const { status, body } = finalAnswer(outcome);
      expect(problemViolations(status, body as Record<string, unknown>)).toEqual([]);
    },
  );
});
