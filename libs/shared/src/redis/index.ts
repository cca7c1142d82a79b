import { Redis } from "ioredis";
import { z } from "zod";
import { env } from "../config";
import type { Logger } from "../logging";

/** Where a service's optional Redis is (connectOptionalRedis), its key prefix and its patience. */
export const optionalRedisEnv = (defaultKeyPrefix: string) => ({
  REDIS_URL: env.urlWithDefault("redis://127.0.0.1:6379"),
  REDIS_KEY_PREFIX: z.string().default(defaultKeyPrefix),
  /** Upper bound for one Redis command; past it the service goes on without Redis (the database decides). */
  REDIS_COMMAND_TIMEOUT_MS: env.int(200, 1),
});

export interface OptionalRedisSettings {
  url: string;
  commandTimeoutMs: number;
  logger: Logger;
  /** The warning logged once per outage: what the service does without Redis. */
  outageMessage: string;
}

/**
 * A Redis client for a service that keeps working while Redis is down (a cache, a fast path in
 * front of the database). Resolves after the first connection attempt, whether it succeeded or
 * not: the client keeps reconnecting in the background.
 */
export async function connectOptionalRedis(settings: OptionalRedisSettings): Promise<Redis> {
  const { logger } = settings;
  const redis = new Redis(settings.url, {
    lazyConnect: true,
    // Fail fast while disconnected: the caller falls back to the database instead of queueing behind Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: 1000,
    // After a refused connection the socket never reports "close"; do not keep the process up waiting for it.
    disconnectTimeout: 100,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  redis.on("error", (error: Error) => {
    // One line per outage, not one per reconnect attempt.
    if (!reported) logger.warn(settings.outageMessage, { error: error.message });
    reported = true;
  });
  redis.on("ready", () => {
    if (reported) logger.info("redis available again");
    reported = false;
  });
  await redis.connect().catch(() => undefined);
  return redis;
}
