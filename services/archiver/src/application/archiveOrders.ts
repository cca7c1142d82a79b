import type { Logger } from "@app/shared";
import {
  plannedChunks,
  type ArchiveOutcome,
  type ArchiveSettings,
  type RunProgress,
} from "../domain/archivePolicy";
import type { ArchiveMetrics, ArchiveStore, RunLock } from "./ports";

export interface ArchiveOrdersDeps {
  store: ArchiveStore;
  runLock: RunLock;
  metrics: ArchiveMetrics;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export interface ArchiveRequest {
  dryRun: boolean;
  /** Aborting stops the run between chunks; a chunk in flight always finishes or rolls back. */
  signal?: AbortSignal;
}

/** Unexpected failure part-way; carries what was already committed so the summary can say so. */
export class ArchiveRunError extends Error {
  override name = "ArchiveRunError";
  constructor(
    readonly progress: RunProgress,
    readonly durationMs: number,
    override readonly cause: unknown,
  ) {
    super(`archive run failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The run: take the run lock, fix the cutoff, then move chunk after chunk by keyset on the
 * primary key until a short page says nothing is left. Each chunk commits on its own, so a
 * crash at any point leaves whole chunks moved and the next run picks up the rest.
 */
export async function archiveOrders(
  deps: ArchiveOrdersDeps,
  settings: ArchiveSettings,
  request: ArchiveRequest,
): Promise<ArchiveOutcome> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const progress: RunProgress = { archived: 0, items: 0, chunks: 0 };
  try {
    if (request.dryRun)
      return {
        kind: "DRY_RUN",
        dryRun: true,
        ...(await countOnly(deps, settings)),
        durationMs: elapsed(),
      };

    const lock = await deps.runLock.acquire(settings.lockWaitSeconds);
    if (!lock) {
      deps.logger.info("another archiver run holds the lock; nothing to do", {
        lockWaitSeconds: settings.lockWaitSeconds,
      });
      return { kind: "LOCK_HELD", dryRun: false, ...progress, durationMs: elapsed() };
    }
    try {
      const interrupted = await moveAll(deps, settings, request.signal, progress);
      return {
        kind: interrupted ? "INTERRUPTED" : "COMPLETED",
        dryRun: false,
        ...progress,
        durationMs: elapsed(),
      };
    } finally {
      await lock.release();
    }
  } catch (error) {
    throw new ArchiveRunError(progress, elapsed(), error);
  }
}

async function countOnly(deps: ArchiveOrdersDeps, settings: ArchiveSettings): Promise<RunProgress> {
  const cutoff = await deps.store.cutoff(settings.afterDays);
  const count = await deps.store.countEligible(cutoff);
  deps.metrics.eligibleCounted(count);
  deps.logger.info("dry run: orders that would be archived", {
    cutoff: cutoff.toISOString(),
    eligible: count.orders,
    items: count.items,
  });
  return {
    archived: count.orders,
    items: count.items,
    chunks: plannedChunks(count.orders, settings.chunkSize),
  };
}

/** Returns true when stopped by the signal before the work was done. */
async function moveAll(
  deps: ArchiveOrdersDeps,
  settings: ArchiveSettings,
  signal: AbortSignal | undefined,
  progress: RunProgress,
): Promise<boolean> {
  const sleep = deps.sleep ?? defaultSleep;
  const cutoff = await deps.store.cutoff(settings.afterDays);
  deps.logger.info("archive run started", {
    cutoff: cutoff.toISOString(),
    chunkSize: settings.chunkSize,
  });
  let afterId = "";
  for (;;) {
    if (signal?.aborted) {
      deps.logger.warn("archive run interrupted between chunks", { ...progress });
      return true;
    }
    const chunk = await deps.store.moveChunk({ cutoff, afterId, limit: settings.chunkSize });
    if (chunk.lastId === null) return false;
    afterId = chunk.lastId;
    progress.chunks += 1;
    progress.archived += chunk.archived;
    progress.items += chunk.items;
    deps.metrics.chunkMoved(chunk);
    deps.logger.info("chunk archived", {
      chunk: progress.chunks,
      candidates: chunk.candidates,
      archived: chunk.archived,
      items: chunk.items,
      noLongerEligible: chunk.noLongerEligible,
      lockHeldMs: chunk.lockHeldMs,
      retries: chunk.retries,
      lastId: chunk.lastId,
      archivedSoFar: progress.archived,
    });
    if (chunk.candidates < settings.chunkSize) return false;
    if (settings.pauseMs > 0) await sleep(settings.pauseMs);
  }
}
