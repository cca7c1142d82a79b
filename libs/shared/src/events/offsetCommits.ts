import type { Logger } from "../logging";

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read: one past the last message processed. */
  offset: string;
}

export interface OffsetCommits {
  /**
   * Records what a partition has processed. The group's commit goes now when the last one is at
   * least the interval old, and the caller awaits it; otherwise it goes with the others of the
   * interval, from a timer.
   */
  processed(offset: PartitionOffset): Promise<void>;
  /** Drops what is held for partitions this member no longer owns. */
  keepOnly(owned: (topic: string, partition: number) => boolean): void;
  /** Commits everything held now, for a consumer about to stop. */
  flushForStop(): Promise<void>;
}

/**
 * One offset commit per interval for the whole group instead of one per partition batch: the
 * commit is a broker write, and at one per batch it was the broker's most frequent request
 * (more than fetches and produces together). A crash only redelivers what was processed since
 * the last commit, which idempotent handlers already tolerate; a commit never covers a message
 * whose handler has not resolved.
 */
export function offsetCommits(
  commit: (offsets: PartitionOffset[]) => Promise<void>,
  intervalMs: number,
  logger?: Logger,
): OffsetCommits {
  const held = new Map<string, PartitionOffset>();
  let lastCommitAt = 0;
  // Bumped by every rebalance: a commit that failed across one gives back nothing it held.
  let assignment = 0;
  let timer: NodeJS.Timeout | undefined;
  // Commits go one after another, so an older offset never lands after a newer one.
  let queue: Promise<void> = Promise.resolve();

  const commitHeld = (): Promise<void> => {
    const turn = queue.then(async () => {
      if (!held.size) return;
      const offsets = [...held.values()];
      const heldIn = assignment;
      held.clear();
      lastCommitAt = Date.now();
      try {
        await commit(offsets);
      } catch (error) {
        // Kept for the next commit unless a newer offset of the partition came meanwhile, or a
        // rebalance may have moved the partition to another member.
        if (heldIn === assignment)
          for (const o of offsets) {
            const key = `${o.topic}:${o.partition}`;
            if (!held.has(key)) held.set(key, o);
          }
        throw error;
      }
    });
    queue = turn.catch(() => undefined);
    return turn;
  };

  const commitLater = () => {
    if (timer) return;
    const wait = Math.max(0, lastCommitAt + intervalMs - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      commitHeld().catch((error: unknown) =>
        // Held for the next batch's commit or the one on stop; a rebalance error also reaches
        // the fetch loop through its heartbeat, which rejoins the group.
        logger?.warn("offset commit failed; retried with the next one", {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }, wait);
    timer.unref();
  };

  return {
    processed(offset) {
      held.set(`${offset.topic}:${offset.partition}`, offset);
      if (Date.now() - lastCommitAt >= intervalMs) return commitHeld();
      commitLater();
      return Promise.resolve();
    },
    keepOnly(owned) {
      assignment += 1;
      for (const [key, o] of held) if (!owned(o.topic, o.partition)) held.delete(key);
    },
    flushForStop() {
      clearTimeout(timer);
      timer = undefined;
      return commitHeld();
    },
  };
}
