import type { Logger } from "@app/shared";
import type { Clock, OutboxStore, RelayMetrics } from "./ports";

export interface RetentionSettings {
  retentionHours: number;
  chunkSize: number;
}

/**
 * Deletes published rows past their retention in small chunks, each its own short statement,
 * so the order service's inserts never wait behind one long delete.
 */
export async function purgePublished(
  deps: { outbox: OutboxStore; metrics: RelayMetrics; clock: Clock; logger: Logger },
  settings: RetentionSettings,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - settings.retentionHours * 3_600_000);
  let total = 0;
  for (;;) {
    const deleted = await deps.outbox.deletePublishedBefore(before, settings.chunkSize);
    total += deleted;
    deps.metrics.purged(deleted);
    if (deleted < settings.chunkSize || shouldStop()) break;
  }
  if (total)
    deps.logger.info("published outbox rows purged", { rows: total, before: before.toISOString() });
  return total;
}
