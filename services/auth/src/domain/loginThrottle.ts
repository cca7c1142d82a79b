export type ThrottleScope = "email" | "client";

export interface ThrottleLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerClient: number;
}

export interface FailureCount {
  scope: ThrottleScope;
  failures: number;
  /** Seconds until this counter's window ends. */
  resetsInSeconds: number;
}

export type ThrottleDecision =
  { allowed: true } | { allowed: false; scope: ThrottleScope; retryAfterSeconds: number };

/** Blocked once a counter reached its limit; the caller may retry when that window ends. */
export function decideThrottle(counts: FailureCount[], limits: ThrottleLimits): ThrottleDecision {
  const limitOf = (scope: ThrottleScope) =>
    scope === "email" ? limits.maxFailuresPerEmail : limits.maxFailuresPerClient;
  const blocking = counts.filter((c) => c.failures >= limitOf(c.scope));
  if (!blocking.length) return { allowed: true };
  const longest = blocking.reduce((a, b) => (b.resetsInSeconds > a.resetsInSeconds ? b : a));
  return {
    allowed: false,
    scope: longest.scope,
    retryAfterSeconds: Math.max(1, longest.resetsInSeconds),
  };
}
