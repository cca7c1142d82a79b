import { problemBody, ProblemError, type ProblemInit } from "../errors";

/**
 * What is wrong with a problem body under RFC 9457 and the contract, as readable lines: `status`
 * must be the HTTP status number, and the standard members strings where present.
 */
export function problemViolations(httpStatus: number, body: Record<string, unknown>): string[] {
  const found: string[] = [];
  if (body.status !== httpStatus)
    found.push(`status is ${JSON.stringify(body.status)}, not the HTTP status ${httpStatus}`);
  for (const member of ["type", "title", "detail", "code"])
    if (typeof body[member] !== "string") found.push(`${member} is not a string`);
  if ("instance" in body && typeof body.instance !== "string")
    found.push("instance is not a string");
  return found;
}

/**
 * Registers, in the calling `describe`, one jest test per failure: the problem body a service
 * would send for it has no problemViolations.
 */
export function testProblemBodies<F extends { kind: string }>(
  failures: readonly F[],
  problemFor: (failure: F) => ProblemError | ProblemInit,
): void {
  test.each(failures.map((failure) => [failure.kind, failure] as const))(
    "%s keeps status the HTTP status number",
    (_kind, failure) => {
      const problem = problemFor(failure);
      const init = problem instanceof ProblemError ? problem.problem : problem;
      expect(problemViolations(init.status, problemBody(init))).toEqual([]);
    },
  );
}
