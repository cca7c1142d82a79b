import { ProblemError, problems, unmappedFailure } from "@app/shared";
import type { LoginOutcome } from "../application/loginUser";
import type { RefreshOutcome } from "../application/refreshSession";
import type { RegisterOutcome } from "../application/registerUser";

/** Every expected failure auth answers with a problem. */
export type AuthFailure =
  | Exclude<RegisterOutcome, { kind: "created" }>
  | Exclude<LoginOutcome, { kind: "logged_in" }>
  | Exclude<RefreshOutcome, { kind: "rotated" }>
  | { kind: "user_not_found" }
  | { kind: "user_gone" };

const BEARER_CHALLENGE = { "WWW-Authenticate": 'Bearer realm="api"' };

/** Every expected failure and the problem the client sees; the one place for it. */
export function problemFor(failure: AuthFailure): ProblemError {
  switch (failure.kind) {
    case "email_taken":
      return problems.conflict("EMAIL_TAKEN", "An account with this email already exists.");
    case "invalid_credentials":
      return new ProblemError({
        status: 401,
        code: "INVALID_CREDENTIALS",
        title: "Invalid credentials",
        detail: "The email or password is wrong.",
        headers: BEARER_CHALLENGE,
      });
    case "too_many_attempts":
      return problems.retryLater(
        429,
        "TOO_MANY_ATTEMPTS",
        "Too many attempts",
        "Too many attempts from this client. Try again after Retry-After seconds.",
        failure.retryAfterSeconds,
      );
    case "busy":
      return problems.unavailable(
        "BUSY",
        "Too much password hashing in progress. Try again after Retry-After seconds.",
        failure.retryAfterSeconds,
      );
    case "invalid_refresh_token":
      return new ProblemError({
        status: 401,
        code: "INVALID_REFRESH_TOKEN",
        title: "Invalid refresh token",
        detail: "The refresh token is unknown, expired or revoked. Log in again.",
        headers: BEARER_CHALLENGE,
      });
    case "user_not_found":
      return problems.notFound("USER_NOT_FOUND", "No user has this id.");
    case "user_gone":
      return problems.unauthenticated("The account of this token no longer exists.");
    default:
      return unmappedFailure(failure);
  }
}
