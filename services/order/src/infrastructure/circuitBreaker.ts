import { jitteredBackoffMs, type Logger } from "@app/shared";
import CircuitBreaker from "opossum";

export interface BreakerSettings {
  timeoutMs: number;
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  volumeThreshold: number;
}

export type BreakerState = "closed" | "half_open" | "open";

/** A breaker around one dependency; every state change is logged once. */
export function createBreaker<A extends unknown[], R>(
  name: string,
  action: (...args: A) => Promise<R>,
  settings: BreakerSettings,
  logger: Logger,
  /** Errors that are answers, not failures: they do not count toward opening. */
  isNotAFailure: (error: unknown) => boolean = () => false,
): CircuitBreaker<A, R> {
  const breaker = new CircuitBreaker<A, R>(action, {
    name,
    timeout: settings.timeoutMs,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    resetTimeout: settings.resetTimeoutMs,
    volumeThreshold: settings.volumeThreshold,
    errorFilter: isNotAFailure,
  });
  breaker.on("open", () => logger.warn("circuit breaker opened", { breaker: name }));
  breaker.on("halfOpen", () =>
    logger.info("circuit breaker half-open; probing", { breaker: name }),
  );
  breaker.on("close", () => logger.info("circuit breaker closed", { breaker: name }));
  return breaker;
}

export function breakerState(breaker: { opened: boolean; halfOpen: boolean }): BreakerState {
  if (breaker.halfOpen) return "half_open";
  return breaker.opened ? "open" : "closed";
}

export function isBreakerOpen(error: unknown): boolean {
  return (error as { code?: string })?.code === "EOPENBREAKER";
}

/** Seconds a client should wait: about the breaker's reset timeout. */
export function retryAfterSeconds(settings: BreakerSettings): number {
  return Math.max(1, Math.ceil(settings.resetTimeoutMs / 1000));
}

export interface RetrySettings {
  retries: number;
  baseDelayMs: number;
}

/**
 * Retries an idempotent call with backoff. An open breaker is not retried: waiting out its
 * reset inside one request would only hold the client.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  settings: RetrySettings,
  retryable: (error: unknown) => boolean,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt > settings.retries || isBreakerOpen(error) || !retryable(error)) throw error;
      await new Promise((resolve) =>
        setTimeout(
          resolve,
          jitteredBackoffMs(attempt, settings.baseDelayMs, 2000, Math.random, 0.5),
        ),
      );
    }
  }
}
