import type { ArchiveOutcome, RunProgress } from "../domain/archivePolicy";

export type CliArgs = { ok: true; dryRun: boolean } | { ok: false; message: string };

export const USAGE = "usage: archiver [--dry-run]";

export function parseArgs(argv: readonly string[]): CliArgs {
  let dryRun = false;
  for (const arg of argv) {
    if (arg === "--dry-run") dryRun = true;
    else return { ok: false, message: `unknown argument ${arg}; ${USAGE}` };
  }
  return { ok: true, dryRun };
}

export type RunReport =
  | ArchiveOutcome
  | ({ kind: "FAILED"; dryRun: boolean; durationMs: number; error: string } & RunProgress);

/**
 * The last line on stdout, the only one there (logs go to stderr): a script or the CronJob's
 * log view reads the result without parsing log lines.
 */
export function summaryLine(report: RunReport): string {
  return JSON.stringify({
    archived: report.archived,
    chunks: report.chunks,
    durationMs: report.durationMs,
    dryRun: report.dryRun,
    outcome: report.kind,
    items: report.items,
    ...(report.kind === "FAILED" ? { error: report.error } : {}),
  });
}

/** Exit codes in one place: another run holding the lock is a success, not a failed job. */
export function exitCodeFor(report: RunReport): number {
  switch (report.kind) {
    case "COMPLETED":
    case "DRY_RUN":
    case "LOCK_HELD":
      return 0;
    case "INTERRUPTED":
    case "FAILED":
      return 1;
  }
}

export const EXIT_USAGE = 64;
