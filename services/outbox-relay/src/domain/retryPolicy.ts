export interface RetrySettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export type FailureDecision =
  { kind: "retry"; attempts: number; availableAt: Date } | { kind: "failed"; attempts: number };

/**
 * After the broker refused a row's message: wait exponentially longer, and park the row once it
 * used up its attempts.
 */
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

/**
 * After a send Kafka could not take (an outage, not the message's fault): no attempt is spent,
 * however long the outage lasts; the row only steps aside for the base backoff.
 */
export function deferredUntil(settings: RetrySettings, now: Date): Date {
  return new Date(now.getTime() + settings.backoffBaseMs);
}
