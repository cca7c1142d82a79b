import type { Metrics } from "@app/shared";

/** The outcome counters the routes record; the label values are the outcome names the logs use. */
export function createAuthMetrics(metrics: Metrics) {
  return {
    logins: metrics.counter("auth_logins_total", "Login attempts by outcome", ["outcome"]),
    registrations: metrics.counter("auth_registrations_total", "Registration attempts by outcome", [
      "outcome",
    ]),
    refreshes: metrics.counter("auth_refreshes_total", "Refresh attempts by outcome", ["outcome"]),
    throttled: metrics.counter(
      "auth_throttled_attempts_total",
      "Login attempts refused by throttling, by the counter that refused",
      ["scope"],
    ),
    purgedRefreshTokens: metrics.counter(
      "auth_refresh_tokens_purged_total",
      "Expired or revoked refresh tokens deleted",
    ),
  };
}

export type AuthMetrics = ReturnType<typeof createAuthMetrics>;
