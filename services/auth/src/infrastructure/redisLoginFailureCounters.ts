import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { LoginFailureCounters } from "../application/ports";
import type { FailureCount, ThrottleScope } from "../domain/loginThrottle";

/**
 * Fixed-window failure counters: the first failure starts a window of `windowSeconds`, later
 * failures inside it only add. Keys carry a hash of the email, never the address itself.
 */
export class RedisLoginFailureCounters implements LoginFailureCounters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowSeconds: number,
  ) {}

  private key(scope: ThrottleScope, value: string): string {
    const id = scope === "email" ? createHash("sha256").update(value).digest("hex") : value;
    return `${this.prefix}login-failures:${scope}:${id}`;
  }

  async read(emailNormalized: string, clientAddress: string): Promise<FailureCount[]> {
    const scopes: [ThrottleScope, string][] = [
      ["email", this.key("email", emailNormalized)],
      ["client", this.key("client", clientAddress)],
    ];
    const pipeline = this.redis.multi();
    for (const [, key] of scopes) pipeline.get(key).pttl(key);
    const replies = (await pipeline.exec()) ?? [];
    return scopes.map(([scope], i) => {
      const [countError, count] = replies[i * 2] ?? [];
      const [ttlError, ttl] = replies[i * 2 + 1] ?? [];
      if (countError || ttlError) throw countError ?? ttlError;
      return {
        scope,
        failures: Number(count ?? 0),
        resetsInSeconds: Math.ceil(Math.max(Number(ttl), 0) / 1000),
      };
    });
  }

  async recordFailure(emailNormalized: string, clientAddress: string): Promise<void> {
    const pipeline = this.redis.multi();
    for (const key of [this.key("email", emailNormalized), this.key("client", clientAddress)]) {
      // NX: only the first failure sets the expiry, so repeated failures cannot extend the window.
      pipeline.incr(key).expire(key, this.windowSeconds, "NX");
    }
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async resetEmail(emailNormalized: string): Promise<void> {
    await this.redis.del(this.key("email", emailNormalized));
  }
}
