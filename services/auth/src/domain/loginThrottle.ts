/**
 * The counters a login attempt is checked against: one email from one client (the lock a guesser
 * meets), one client across emails (spraying), and one email across every client, whose far
 * higher limit slows a distributed attack without letting one client lock a user out.
 */
export type ThrottleScope = "email_client" | "client" | "email";

export interface ThrottleLimits {
  maxFailuresPerEmailAndClient: number;
  maxFailuresPerClient: number;
  maxFailuresPerEmail: number;
}

export interface FailureCount {
  scope: ThrottleScope;
  /** Attempts counted in this window: failures, plus attempts still being checked. */
  failures: number;
  /** Seconds until this counter's window ends. */
  resetsInSeconds: number;
}

/** The verdict, with every counter as it stands after it (for the RateLimit headers). */
export type ThrottleDecision = { counts: FailureCount[] } & (
  { allowed: true } | { allowed: false; scope: ThrottleScope; retryAfterSeconds: number }
);

export const THROTTLE_SCOPES: readonly ThrottleScope[] = ["email_client", "client", "email"];

/**
 * The counters as a successful login leaves them (recordSuccess): the (email, client) pair's
 * starts over, the client's and the email's give back the attempt admitted for it.
 */
export function countsAfterSuccess(counts: FailureCount[]): FailureCount[] {
  return counts.map((c) => ({
    ...c,
    failures: c.scope === "email_client" ? 0 : Math.max(0, c.failures - 1),
  }));
}

export function limitOf(scope: ThrottleScope, limits: ThrottleLimits): number {
  switch (scope) {
    case "email_client":
      return limits.maxFailuresPerEmailAndClient;
    case "client":
      return limits.maxFailuresPerClient;
    case "email":
      return limits.maxFailuresPerEmail;
  }
}

/**
 * Blocked once a counter reached its limit; the caller may retry when the longest blocking window
 * ends. The counter store applies the same limit check atomically with counting the attempt.
 */
export function decideThrottle(counts: FailureCount[], limits: ThrottleLimits): ThrottleDecision {
  const blocking = counts.filter((c) => c.failures >= limitOf(c.scope, limits));
  if (!blocking.length) return { allowed: true, counts };
  const longest = blocking.reduce((a, b) => (b.resetsInSeconds > a.resetsInSeconds ? b : a));
  return {
    counts,
    allowed: false,
    scope: longest.scope,
    retryAfterSeconds: Math.max(1, longest.resetsInSeconds),
  };
}
