/** Only orders in a final state leave the live table; a CREATED order may still change. */
export const ARCHIVABLE_STATUSES = ["COMPLETED", "CANCELLED"] as const;

export interface ArchiveSettings {
  afterDays: number;
  chunkSize: number;
  pauseMs: number;
  lockWaitSeconds: number;
}

/** What one run did; the summary line and the metrics are built from it. */
export interface RunProgress {
  archived: number;
  items: number;
  chunks: number;
}

export type ArchiveOutcome =
  | ({ kind: "COMPLETED"; dryRun: false; durationMs: number } & RunProgress)
  | ({ kind: "DRY_RUN"; dryRun: true; durationMs: number } & RunProgress)
  | ({ kind: "LOCK_HELD"; dryRun: boolean; durationMs: number } & RunProgress)
  | ({ kind: "INTERRUPTED"; dryRun: false; durationMs: number } & RunProgress);

/** How many chunk transactions a dry run's count would take. */
export function plannedChunks(eligible: number, chunkSize: number): number {
  return Math.ceil(eligible / chunkSize);
}
