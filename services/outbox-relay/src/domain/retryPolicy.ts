export interface RetrySettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export type FailureDecision =
  { kind: "retry"; attempts: number; availableAt: Date } | { kind: "failed"; attempts: number };

/** After a failed publish: wait exponentially longer, and park the row once it used up its attempts. */
export function decideAfterFailure(
  previousAttempts: number,
  settings: RetrySettings,
  now: Date,
): FailureDecision {
  const attempts = previousAttempts + 1;
  if (attempts >= settings.maxAttempts) return { kind: "failed", attempts };
  const delay = Math.min(settings.backoffBaseMs * 2 ** (attempts - 1), settings.backoffMaxMs);
  return { kind: "retry", attempts, availableAt: new Date(now.getTime() + delay) };
}
