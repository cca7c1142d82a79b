import { problemViolations, renderedProblem } from "@app/shared/testing";
import { orderProblems } from "../src/api/orderProblems";
import { finalAnswer, type FinalOutcome } from "../src/application/placementOutcomes";

// Every problem the order service can answer, live or replayed, obeys RFC 9457: `status` is the
// HTTP status number and no extension takes a standard member's name.
const finalOutcomes: Exclude<FinalOutcome, { kind: "created" }>[] = [
  { kind: "out_of_stock", shortItems: [] },
  { kind: "products_missing", productIds: [] },
  { kind: "payment_declined", reason: "declined" },
  { kind: "currency_mismatch", currencies: ["EUR", "USD"] },
];

describe("order problem bodies", () => {
  test.each(Object.entries(orderProblems))(
    "%s keeps status the HTTP status number",
    (_name, build) => {
      // Each factory's arguments only fill the detail or an extension: any value renders.
      const { status, body } = renderedProblem(
        (build as (...args: unknown[]) => never)("CREATED", 1),
      );
      expect(problemViolations(status, body)).toEqual([]);
    },
  );

  test.each(finalOutcomes.map((o) => [o.kind, o] as const))(
    "the stored answer of %s keeps status the HTTP status number",
    (_kind, outcome) => {
      const { status, body } = finalAnswer(outcome);
      expect(problemViolations(status, body as Record<string, unknown>)).toEqual([]);
    },
  );
});
