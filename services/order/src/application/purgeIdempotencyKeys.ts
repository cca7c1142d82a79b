import { retentionCutoff } from "../domain/keyLifecycle";
import type { Clock, PlacementStore } from "./ports";

/** Deletes finished keys past their retention, in bounded batches so no lock is held long. */
export async function purgeIdempotencyKeys(
  deps: { keys: PlacementStore; clock: Clock },
  retentionHours: number,
  batchSize = 1000,
): Promise<number> {
  const cutoff = retentionCutoff(deps.clock.now(), retentionHours);
  let total = 0;
  for (;;) {
    const deleted = await deps.keys.purgeCompletedBefore(cutoff, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
