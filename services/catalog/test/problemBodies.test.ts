import { problemViolations, renderedProblem } from "@app/shared/testing";
import { catalogProblems } from "../src/api/problemMapping";

// Every problem the catalog maps an outcome to obeys RFC 9457: `status` is the HTTP status
// number and no extension takes a standard member's name.
describe("catalog problem bodies", () => {
  test.each(Object.entries(catalogProblems))(
    "%s keeps status the HTTP status number",
    (_name, build) => {
      // The arguments only fill the detail or an extension: any value renders.
      const { status, body } = renderedProblem((build as (...args: unknown[]) => never)([], 1));
      expect(problemViolations(status, body)).toEqual([]);
    },
  );
});
