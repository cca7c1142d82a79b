import { exitOnConfigError } from "../config";
import { createLogger, type Logger } from "../logging";
import { exitOnSignals } from "./server";

/**
 * A service process from start to exit: a bad configuration exits 78 with one line naming every
 * bad variable; a failed start is logged as one JSON line and exits 1; a started service runs
 * until SIGTERM or SIGINT stops it. `start` gets the logger so the process logs through one.
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
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  start(config, logger).then(
    (running) => exitOnSignals(running.close, logger),
    (error: unknown) => {
      logger.error("failed to start", { error });
      process.exit(1);
    },
  );
}
