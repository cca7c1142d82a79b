import {
  createLogger,
  createPool,
  exitOnConfigError,
  parseDatabaseUrl,
  startTracing,
  traceUseCase,
  type Logger,
} from "@app/shared";
import { exitCodeFor, parseArgs, summaryLine, EXIT_USAGE, type RunReport } from "./api/cli";
import { archiveOrders, ArchiveRunError } from "./application/archiveOrders";
import { loadArchiverConfig, type ArchiverConfig } from "./config";
import type { ArchiveOutcome } from "./domain/archivePolicy";
import { PrometheusArchiveMetrics } from "./infrastructure/archiveMetrics";
import { MariaDbArchiveStore } from "./infrastructure/mariadbArchiveStore";
import { archiveRunLockName, NamedRunLock } from "./infrastructure/namedRunLock";

export { loadArchiverConfig, type ArchiverConfig } from "./config";
export { ArchiveRunError } from "./application/archiveOrders";
export { archiveRunLockName } from "./infrastructure/namedRunLock";
export type { ArchiveOutcome } from "./domain/archivePolicy";

export interface RunOptions {
  dryRun?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  /** Overrides the per-database run lock name (tests use it to run two archivers without it). */
  runLockName?: string;
}

export function createArchiverLogger(config: ArchiverConfig): Logger {
  return createLogger({ service: "archiver", level: config.LOG_LEVEL, stream: process.stderr });
}

/** One run, start to end: the composition root tests call in-process and the CLI wraps. */
export async function runArchive(
  config: ArchiverConfig,
  options: RunOptions = {},
): Promise<ArchiveOutcome> {
  const logger = options.logger ?? createArchiverLogger(config);
  // Three connections at most: the run lock's, the chunk transaction's, the candidate read's.
  const pool = createPool(config.DATABASE_URL, { connectionLimit: 3 });
  const metrics = new PrometheusArchiveMetrics();
  const lockName =
    options.runLockName ?? archiveRunLockName(parseDatabaseUrl(config.DATABASE_URL).database);
  try {
    const outcome = await archiveOrders(
      {
        store: new MariaDbArchiveStore(pool, logger),
        runLock: new NamedRunLock(pool, lockName),
        metrics,
        logger,
      },
      {
        afterDays: config.ARCHIVE_AFTER_DAYS,
        chunkSize: config.ARCHIVE_CHUNK_SIZE,
        pauseMs: config.ARCHIVE_PAUSE_MS,
        lockWaitSeconds: config.ARCHIVE_LOCK_WAIT_SECONDS,
      },
      { dryRun: options.dryRun ?? false, signal: options.signal },
    );
    metrics.runEnded(outcome.kind, outcome.durationMs);
    return outcome;
  } catch (error) {
    metrics.runEnded("FAILED", error instanceof ArchiveRunError ? error.durationMs : 0);
    throw error;
  } finally {
    if (config.PUSHGATEWAY_URL) {
      // Best effort: the rows are already moved; a monitoring outage must not fail the job.
      await metrics
        .push(config.PUSHGATEWAY_URL)
        .catch((error: unknown) => logger.warn("metrics push failed", { error }));
    }
    await pool.end();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.ok) {
    process.stderr.write(`${args.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  let config: ArchiverConfig;
  try {
    config = loadArchiverConfig(process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  // The run is one trace (its SQL statements inside) when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = startTracing("archiver", process.env);
  const logger = createArchiverLogger(config);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // First signal: finish the chunk in flight and stop; second: leave now (the chunk rolls back).
    if (stop.signal.aborted) process.exit(1);
    logger.warn("stopping after the current chunk", { signal });
    stop.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  let report: RunReport;
  try {
    report = await traceUseCase("archiveOrders", () =>
      runArchive(config, { dryRun: args.dryRun, logger, signal: stop.signal }),
    );
  } catch (error) {
    const reason = rootCause(error);
    logger.error("archive run failed", { error, reason });
    const progress =
      error instanceof ArchiveRunError ? error.progress : { archived: 0, items: 0, chunks: 0 };
    const durationMs = error instanceof ArchiveRunError ? error.durationMs : 0;
    report = { kind: "FAILED", dryRun: args.dryRun, durationMs, error: reason, ...progress };
  }
  process.stdout.write(`${summaryLine(report)}\n`);
  process.exitCode = exitCodeFor(report);
  await tracing.shutdown().catch(() => undefined);
}

/** The innermost cause: a pool timeout wraps the reason it could not connect (unknown database...). */
function rootCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined && current.cause !== null)
    current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

if (require.main === module) {
  void main();
}
