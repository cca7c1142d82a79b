import { ProblemError, problems } from "@app/shared";
import type { CurrentUserOutcome } from "../application/getCurrentUser";
import type { LoginOutcome } from "../application/loginUser";
import type { UserLookupOutcome } from "../application/lookUpUser";
import type { RefreshOutcome } from "../application/refreshSession";
import type { RegisterOutcome } from "../application/registerUser";

type Failure<T> = Extract<T, { ok: false }>;
type AuthFailure =
  | Failure<RegisterOutcome>
  | Failure<LoginOutcome>
  | Failure<RefreshOutcome>
  | Failure<CurrentUserOutcome>
  | Failure<UserLookupOutcome>;

const BEARER_CHALLENGE = { "WWW-Authenticate": 'Bearer realm="api"' };

/** Every expected failure of a use case and the problem the client sees; the one place for it. */
export function problemFor(failure: AuthFailure): ProblemError {
  switch (failure.error) {
    case "EMAIL_TAKEN":
      return problems.conflict("EMAIL_TAKEN", "An account with this email already exists.");
    case "INVALID_CREDENTIALS":
      return new ProblemError({
        status: 401,
        code: "INVALID_CREDENTIALS",
        title: "Invalid credentials",
        detail: "The email or password is wrong.",
        headers: BEARER_CHALLENGE,
      });
    case "TOO_MANY_ATTEMPTS":
      return new ProblemError({
        status: 429,
        code: "TOO_MANY_ATTEMPTS",
        title: "Too many attempts",
        detail: "Too many attempts from this client. Try again after Retry-After seconds.",
        headers: { "Retry-After": String(failure.retryAfterSeconds) },
      });
    case "BUSY":
      return problems.unavailable(
        "BUSY",
        "Too much password hashing in progress. Try again after Retry-After seconds.",
        failure.retryAfterSeconds,
      );
    case "INVALID_REFRESH_TOKEN":
      return new ProblemError({
        status: 401,
        code: "INVALID_REFRESH_TOKEN",
        title: "Invalid refresh token",
        detail: "The refresh token is unknown, expired or revoked. Log in again.",
        headers: BEARER_CHALLENGE,
      });
    case "USER_NOT_FOUND":
      return problems.notFound("USER_NOT_FOUND", "No user has this id.");
    case "USER_GONE":
      return problems.unauthenticated("The account of this token no longer exists.");
  }
}
