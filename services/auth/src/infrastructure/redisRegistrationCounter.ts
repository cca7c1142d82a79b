import type { Redis } from "ioredis";
import type { RegistrationCounter } from "../application/ports";

// Count and start the window in one step; NX: only the first registration of a window sets its
// end, so a client registering steadily cannot keep pushing it out.
const COUNT = `
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return {count, redis.call('PTTL', KEYS[1])}
`;

/** Fixed-window registration counters per client address. */
export class RedisRegistrationCounter implements RegistrationCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowSeconds: number,
  ) {}

  async count(clientAddress: string): Promise<{ count: number; resetsInSeconds: number }> {
    const [count, pttl] = (await this.redis.eval(
      COUNT,
      1,
      `${this.prefix}registrations:client:${clientAddress}`,
      this.windowSeconds,
    )) as [number, number];
    return { count, resetsInSeconds: Math.ceil(Math.max(pttl, 0) / 1000) };
  }
}
