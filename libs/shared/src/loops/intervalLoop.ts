import type { Logger } from "../logging";

export interface IntervalLoop {
  /** No pass starts after this; waits for the pass in hand so shutdown does not close a pool under it. */
  stop(): Promise<void>;
}

export interface IntervalLoopSettings {
  /** What a pass does, for the log: a failure is logged as "<name> failed". */
  name: string;
  intervalMs: number;
}

/**
 * Runs `pass` every `intervalMs`, never two at once in this process; a failing pass is logged and
 * the next tick tries again. The timer does not keep the process alive on its own.
 */
export function startIntervalLoop(
  pass: () => Promise<unknown>,
  settings: IntervalLoopSettings,
  logger: Logger,
): IntervalLoop {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = pass()
      .catch((error: unknown) => logger.error(`${settings.name} failed`, { error }))
      .finally(() => {
        running = undefined;
      });
  }, settings.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
