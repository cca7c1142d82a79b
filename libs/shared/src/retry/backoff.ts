/**
 * "Full jitter" backoff: a random wait in [0, min(max, base * 2^(attempt-1))], so contenders
 * that collided once spread out instead of colliding again in lockstep.
 */
export function jitteredBackoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
