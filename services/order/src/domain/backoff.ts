/** Exponential backoff with jitter (half to full delay), capped, for retrying idempotent calls. */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  maxMs = 2000,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), maxMs);
  return Math.round(exponential * (0.5 + random() / 2));
}
