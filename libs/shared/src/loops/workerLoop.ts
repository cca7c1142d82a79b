import type { Logger } from "../logging";

export interface WorkerLoop {
  /** Lets the pass in hand finish, then stops. */
  stop(): Promise<void>;
}

export interface LoopSettings {
  name: string;
  /** Pause after a pass that found nothing to do. */
  idleMs: number;
  /** Longest pause after consecutive failures. */
  maxErrorBackoffMs: number;
}

/**
 * Runs `pass` again and again: at once while it reports work done (backlog), after `idleMs`
 * when idle, with growing pauses while it throws (database down). A stop interrupts the pause,
 * never a pass.
 */
export function startWorkerLoop(
  pass: () => Promise<boolean>,
  settings: LoopSettings,
  logger: Logger,
): WorkerLoop {
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const running = (async () => {
    let failures = 0;
    while (!stopping) {
      let busy = false;
      try {
        busy = await pass();
        failures = 0;
      } catch (error) {
        failures++;
        logger.error("worker pass failed", { loop: settings.name, error, failures });
      }
      if (stopping) break;
      if (failures)
        await pause(Math.min(settings.idleMs * 2 ** failures, settings.maxErrorBackoffMs));
      else if (!busy) await pause(settings.idleMs);
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
    },
  };
}
