import type { Logger } from "@app/shared";

export interface SweeperLoop {
  stop(): Promise<void>;
}

/** Runs `sweep` every interval, never two at once in this process; a failed pass is logged and the next one tries again. */
export function startSweeperLoop(
  sweep: () => Promise<unknown>,
  intervalMs: number,
  logger: Logger,
): SweeperLoop {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep()
      .catch((error: unknown) => logger.error("reservation sweep failed", { error }))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
