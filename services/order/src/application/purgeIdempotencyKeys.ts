import type { Clock, IdempotencyStore } from "./ports";

/** Deletes finished keys past their retention, in bounded batches so no lock is held long. */
export async function purgeIdempotencyKeys(
  deps: { keys: IdempotencyStore; clock: Clock },
  retentionHours: number,
  batchSize = 1000,
): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - retentionHours * 3600_000);
  let total = 0;
  for (;;) {
    const deleted = await deps.keys.purgeCompletedBefore(cutoff, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
