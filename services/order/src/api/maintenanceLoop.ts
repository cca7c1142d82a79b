import type { Logger } from "@app/shared";

export interface MaintenanceLoop {
  stop(): Promise<void>;
}

/** Runs `pass` every interval, never two at once; a failing pass is logged and the loop goes on. */
export function startMaintenanceLoop(
  pass: () => Promise<unknown>,
  intervalMs: number,
  logger: Logger,
): MaintenanceLoop {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = pass()
      .catch((error: unknown) => logger.error("maintenance pass failed", { error }))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
