import { problemViolations, renderedProblem } from "@app/shared/testing";
import { problemFor } from "../src/api/problems";

// Every failure auth maps to a problem obeys RFC 9457: `status` is the HTTP status number and no
// extension takes a standard member's name.
const quota = { count: 1, resetsInSeconds: 1 };
const failures: Parameters<typeof problemFor>[0][] = [
  { ok: false, error: "EMAIL_TAKEN", quota },
  { ok: false, error: "TOO_MANY_ATTEMPTS", retryAfterSeconds: 5, quota },
  { ok: false, error: "BUSY", retryAfterSeconds: 1 },
  { ok: false, error: "INVALID_CREDENTIALS", throttle: [] },
  {
    ok: false,
    error: "TOO_MANY_ATTEMPTS",
    scope: "email_client",
    retryAfterSeconds: 5,
    throttle: [],
  },
  { ok: false, error: "INVALID_REFRESH_TOKEN", reason: "REUSED" },
  { ok: false, error: "USER_GONE" },
];

describe("auth problem bodies", () => {
  test.each(failures.map((f) => [f.error, f] as const))(
    "%s keeps status the HTTP status number",
    (_error, failure) => {
      const { status, body } = renderedProblem(problemFor(failure));
      expect(problemViolations(status, body)).toEqual([]);
    },
  );
});
