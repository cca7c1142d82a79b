import type { Logger } from "@app/shared";

/**
 * Runs `purge` every `intervalMs` (never two at once); stop() waits for a run in progress so
 * shutdown does not close the pool under it.
 */
export function schedulePurge(
  purge: () => Promise<number>,
  intervalMs: number,
  logger: Logger,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = purge()
      .then((deleted) => {
        if (deleted > 0) logger.info("refresh tokens purged", { deleted });
      })
      .catch((error: unknown) => logger.error("refresh token purge failed", { error }))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
