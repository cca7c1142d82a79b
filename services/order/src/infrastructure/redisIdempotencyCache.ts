import type { Logger } from "@app/shared";
import type { Redis } from "ioredis";
import type { IdempotencyCache } from "../application/ports";
import type { StoredResponse } from "../domain/idempotency";

/**
 * A copy of replayed answers. Any Redis failure degrades to "no copy": the database record
 * still decides.
 */
export class RedisIdempotencyCache implements IdempotencyCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  private key(kind: "response", userId: string, key: string): string {
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
}
