import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { LoginFailureCounters } from "../application/ports";
import {
  decideThrottle,
  limitOf,
  THROTTLE_SCOPES,
  type ThrottleDecision,
  type ThrottleLimits,
} from "../domain/loginThrottle";

// Check and count in one script: with a read, then the password check, then an increment, 60
// concurrent guesses at a limit of 3 got 8 password checks: each read saw the others uncounted.
// KEYS: the counters; ARGV: their limits in the same order, then the window in seconds.
// Replies {1, count, pttl, ...} per counter after counting, else {0, count, pttl, ...} unchanged.
const ADMIT = `
local refused = false
local seen = {}
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i]) then refused = true end
  table.insert(seen, count)
  table.insert(seen, redis.call('PTTL', key))
end
if refused then
  table.insert(seen, 1, 0)
  return seen
end
local counted = {1}
for _, key in ipairs(KEYS) do
  table.insert(counted, redis.call('INCR', key))
  -- NX: only the first counted attempt sets the expiry, so later ones cannot extend the window.
  redis.call('EXPIRE', key, ARGV[#KEYS + 1], 'NX')
  table.insert(counted, redis.call('PTTL', key))
end
return counted
`;

// Takes one attempt back from each counter whose window is still open (an expired window has
// nothing to give back, and a DECR there would create a counter without an expiry).
const GIVE_BACK = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 and redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
end
`;

/**
 * Fixed-window counters: the first counted attempt starts a window of `windowSeconds`, later
 * ones inside it only add. Keys carry a hash of the email, never the address itself.
 */
export class RedisLoginFailureCounters implements LoginFailureCounters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowSeconds: number,
  ) {}

  /** One key per scope, in THROTTLE_SCOPES order. */
  private keys(emailNormalized: string, clientAddress: string): [string, string, string] {
    const emailId = createHash("sha256").update(emailNormalized).digest("hex");
    return [
      `${this.prefix}login-failures:email-client:${emailId}:${clientAddress}`,
      `${this.prefix}login-failures:client:${clientAddress}`,
      `${this.prefix}login-failures:email:${emailId}`,
    ];
  }

  async admit(
    emailNormalized: string,
    clientAddress: string,
    limits: ThrottleLimits,
  ): Promise<ThrottleDecision> {
    const keys = this.keys(emailNormalized, clientAddress);
    const limitArgs = THROTTLE_SCOPES.map((scope) => limitOf(scope, limits));
    const reply = (await this.redis.eval(
      ADMIT,
      keys.length,
      ...keys,
      ...limitArgs,
      this.windowSeconds,
    )) as number[];
    const counts = THROTTLE_SCOPES.map((scope, i) => ({
      scope,
      failures: reply[1 + i * 2]!,
      // No key (-2) means a fresh window: all of it is ahead.
      resetsInSeconds:
        reply[2 + i * 2]! < 0 ? this.windowSeconds : Math.ceil(reply[2 + i * 2]! / 1000),
    }));
    if (reply[0] === 1) return { allowed: true, counts };
    const decision = decideThrottle(counts, limits);
    if (decision.allowed)
      throw new Error("login throttle script refused an attempt under its limits");
    return decision;
  }

  async recordSuccess(emailNormalized: string, clientAddress: string): Promise<void> {
    const [pairKey, clientKey, emailKey] = this.keys(emailNormalized, clientAddress);
    const replies =
      (await this.redis.multi().del(pairKey).eval(GIVE_BACK, 2, clientKey, emailKey).exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async withdraw(emailNormalized: string, clientAddress: string): Promise<void> {
    const keys = this.keys(emailNormalized, clientAddress);
    await this.redis.eval(GIVE_BACK, keys.length, ...keys);
  }
}
