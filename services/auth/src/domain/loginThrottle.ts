export type ThrottleScope = "email" | "client";

export interface ThrottleLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerClient: number;
}

export interface FailureCount {
  scope: ThrottleScope;
  /** Attempts counted in this window: failures, plus attempts still being checked. */
  failures: number;
  /** Seconds until this counter's window ends. */
  resetsInSeconds: number;
}

export type ThrottleDecision =
  { allowed: true } | { allowed: false; scope: ThrottleScope; retryAfterSeconds: number };

export const limitOf = (scope: ThrottleScope, limits: ThrottleLimits): number =>
  scope === "email" ? limits.maxFailuresPerEmail : limits.maxFailuresPerClient;

/**
 * Blocked once a counter reached its limit; the caller may retry when the longest blocking window
 * ends. The counter store applies the same limit check atomically with counting the attempt.
 */
export function decideThrottle(counts: FailureCount[], limits: ThrottleLimits): ThrottleDecision {
  const blocking = counts.filter((c) => c.failures >= limitOf(c.scope, limits));
  if (!blocking.length) return { allowed: true };
  const longest = blocking.reduce((a, b) => (b.resetsInSeconds > a.resetsInSeconds ? b : a));
  return {
    allowed: false,
    scope: longest.scope,
    retryAfterSeconds: Math.max(1, longest.resetsInSeconds),
  };
}
