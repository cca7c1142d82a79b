import type { Logger } from "@app/shared";
import type { Redis } from "ioredis";
import type { IdempotencyCache } from "../application/ports";
import type { StoredResponse } from "../domain/idempotency";

// Deletes the lock only when it is still ours: a lease that expired may belong to another request now.
const UNLOCK_IF_OWNER = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * In-flight lock (SET NX PX) and a copy of finished answers. Any Redis failure degrades to
 * "no cache, no lock": the database record still decides.
 */
export class RedisIdempotencyCache implements IdempotencyCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  private key(kind: "lock" | "response", userId: string, key: string): string {
    return `${this.prefix}idem:${kind}:${userId}:${key}`;
  }

  async getResponse(userId: string, key: string) {
    try {
      const raw = await this.redis.get(this.key("response", userId, key));
      return raw ? (JSON.parse(raw) as { requestHash: string; response: StoredResponse }) : null;
    } catch (error) {
      this.logger.warn("idempotency cache read failed", { error: (error as Error).message });
      return null;
    }
  }

  async putResponse(
    userId: string,
    key: string,
    entry: { requestHash: string; response: StoredResponse },
    ttlSeconds: number,
  ) {
    try {
      await this.redis.set(
        this.key("response", userId, key),
        JSON.stringify(entry),
        "EX",
        ttlSeconds,
      );
    } catch (error) {
      this.logger.warn("idempotency cache write failed", { error: (error as Error).message });
    }
  }

  async lock(userId: string, key: string, token: string, ttlMs: number) {
    try {
      const result = await this.redis.set(this.key("lock", userId, key), token, "PX", ttlMs, "NX");
      return result === "OK" ? ("acquired" as const) : ("held" as const);
    } catch (error) {
      this.logger.warn("idempotency lock unavailable; relying on the database", {
        error: (error as Error).message,
      });
      return "unavailable" as const;
    }
  }

  async unlock(userId: string, key: string, token: string) {
    try {
      await this.redis.eval(UNLOCK_IF_OWNER, 1, this.key("lock", userId, key), token);
    } catch (error) {
      this.logger.warn("idempotency unlock failed; the lock expires with its lease", {
        error: (error as Error).message,
      });
    }
  }
}
