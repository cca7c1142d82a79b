import { exitOnConfigError } from "../config";
import { createLogger, type Logger } from "../logging";
import { startTracing } from "../tracing";
import { exitOnSignals } from "./server";

/**
 * A service process from start to exit: a bad configuration exits 78 with one line naming every
 * bad variable; a failed start is logged as one JSON line and exits 1; a started service runs
 * until SIGTERM or SIGINT stops it. `start` gets the logger so the process logs through one.
 * Tracing is set up first, from the standard OTEL_* variables (which OpenTelemetry defines and
 * its SDK reads, hence not in the service's config), and flushed after the service stopped.
 */
export function runUntilSignalled<C extends { LOG_LEVEL: string }>(
  service: string,
  loadConfig: () => C,
  start: (config: C, logger: Logger) => Promise<{ close(): Promise<void> }>,
): void {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const tracing = startTracing(service, process.env);
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  if (tracing.enabled) logger.info("tracing exports spans over OTLP");
  start(config, logger).then(
    (running) =>
      exitOnSignals(async () => {
        await running.close();
        await tracing.shutdown().catch(() => undefined);
      }, logger),
    (error: unknown) => {
      logger.error("failed to start", { error });
      process.exit(1);
    },
  );
}
