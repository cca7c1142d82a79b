/**
 * The one retry backoff: exponential, capped, with jitter. The wait is random in
 * [least * ceiling, ceiling] where ceiling = min(max, base * 2^(attempt-1)), so contenders that
 * collided once spread out instead of colliding again in lockstep. `least` 0 is "full jitter"
 * (contention: spread widest); 0.5 keeps at least half the delay (retrying a struggling
 * dependency: never hammer it right away).
 */
export function jitteredBackoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
  least = 0,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling * (least + (1 - least) * random()));
}
