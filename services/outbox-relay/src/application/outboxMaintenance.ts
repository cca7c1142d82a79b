import type { Clock } from "./ports";

/** What an operator sees of the outbox and may do to it (the relay's own loop aside). */
export interface OutboxStatus {
  byStatus: Record<string, number>;
  oldestReadyAgeSeconds: number | null;
  /** The FAILED rows, oldest first (at most `limit`): each blocks its order's later events. */
  failed: {
    eventId: string;
    aggregateId: string;
    eventType: string;
    attempts: number;
    lastError: string | null;
    createdAt: string;
  }[];
}

export interface OutboxMaintenanceStore {
  status(failedLimit: number, now: Date): Promise<OutboxStatus>;
  /** FAILED rows (all, or the one with `eventId`) the requeue would touch. */
  countFailed(eventId?: string): Promise<number>;
  /** FAILED -> READY with a fresh attempt budget, due now; returns how many rows moved. */
  requeueFailed(now: Date, eventId?: string): Promise<number>;
}

export async function requeueFailedEvents(
  deps: { store: OutboxMaintenanceStore; clock: Clock },
  input: { eventId?: string; dryRun: boolean },
): Promise<{ matched: number; requeued: number }> {
  if (input.dryRun) return { matched: await deps.store.countFailed(input.eventId), requeued: 0 };
  const requeued = await deps.store.requeueFailed(deps.clock.now(), input.eventId);
  return { matched: requeued, requeued };
}
