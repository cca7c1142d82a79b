/** One quota a throttled route enforces, and where the caller stands in its current window. */
export interface QuotaState {
  /** The policy's name as clients see it, e.g. "register". */
  policy: string;
  /** Units allowed per window. */
  quota: number;
  windowSeconds: number;
  /** Units left in the current window (never below 0). */
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

const item = (name: string) => `"${name.replace(/["\\]/g, "")}"`;

/**
 * The IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-11,
 * structured-field lists: `"name";q=<quota>;w=<window>` and `"name";r=<remaining>;t=<reset>`).
 */
export function rateLimitHeaders(states: QuotaState[]): Record<string, string> {
  return {
    "RateLimit-Policy": states
      .map((s) => `${item(s.policy)};q=${s.quota};w=${s.windowSeconds}`)
      .join(", "),
    RateLimit: states
      .map(
        (s) =>
          `${item(s.policy)};r=${Math.max(0, s.remaining)};t=${Math.max(0, Math.ceil(s.resetSeconds))}`,
      )
      .join(", "),
  };
}
