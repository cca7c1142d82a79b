import { testProblemBodies } from "@app/shared/testing";
import { problemFor } from "../src/api/problems";

// Every failure auth maps to a problem obeys RFC 9457: `status` is the HTTP status number and no
// extension takes a standard member's name.
const quota = { count: 1, resetsInSeconds: 1 };
const failures: Parameters<typeof problemFor>[0][] = [
  { kind: "email_taken", quota },
  { kind: "too_many_attempts", retryAfterSeconds: 5, quota },
  { kind: "busy", retryAfterSeconds: 1 },
  { kind: "invalid_credentials", throttle: [] },
  {
    kind: "too_many_attempts",
    scope: "email_client",
    retryAfterSeconds: 5,
    throttle: [],
  },
  { kind: "invalid_refresh_token", reason: "REUSED" },
  { kind: "user_gone" },
  { kind: "user_not_found" },
];

describe("auth problem bodies", () => testProblemBodies(failures, problemFor));
