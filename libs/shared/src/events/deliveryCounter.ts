import type { Redis } from "ioredis";
import type { Logger } from "../logging";

/**
 * Counts the failed deliveries of one message across redeliveries (and across processes), so a
 * message that always fails is dead-lettered after a bounded number instead of holding its
 * partition forever. A message that succeeds is never counted.
 */
export interface DeliveryCounter {
  /** Records one more failed delivery of `messageId` and returns how many there were. */
  failed(messageId: string): Promise<number>;
  /** Forgets a message that was settled (dead-lettered). */
  settled(messageId: string): Promise<void>;
}

/** Keeps the newest entries only, so a burst of failures cannot grow memory without bound. */
const MAX_IN_MEMORY = 10_000;

/** Per process: what a consumer without Redis, or with Redis down, falls back to. */
export function inMemoryDeliveryCounter(): DeliveryCounter {
  const counts = new Map<string, number>();
  return {
    async failed(messageId) {
      const next = (counts.get(messageId) ?? 0) + 1;
      counts.delete(messageId);
      if (counts.size >= MAX_IN_MEMORY) counts.delete(counts.keys().next().value!);
      counts.set(messageId, next);
      return next;
    },
    async settled(messageId) {
      counts.delete(messageId);
    },
  };
}

/**
 * Shared by every replica of a consumer group through Redis (a rebalance hands the message to
 * another pod, and its count goes with it); while Redis is down, counts in the process instead.
 */
export function redisDeliveryCounter(
  redis: Redis,
  options: { prefix: string; ttlSeconds?: number; logger: Logger },
): DeliveryCounter {
  const ttl = options.ttlSeconds ?? 7 * 24 * 3600;
  const fallback = inMemoryDeliveryCounter();
  const key = (messageId: string) => `${options.prefix}deliveries:${messageId}`;
  return {
    async failed(messageId) {
      try {
        const [[incrError, count] = [], [expireError] = []] =
          (await redis.multi().incr(key(messageId)).expire(key(messageId), ttl).exec()) ?? [];
        if (incrError || expireError) throw incrError ?? expireError;
        return Number(count);
      } catch (error) {
        options.logger.warn("delivery count kept in process; redis unavailable", {
          error: (error as Error).message,
        });
        return fallback.failed(messageId);
      }
    },
    async settled(messageId) {
      await fallback.settled(messageId);
      await redis.del(key(messageId)).catch(() => undefined);
    },
  };
}
