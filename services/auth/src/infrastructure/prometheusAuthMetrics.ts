import { declareCounters, type Metrics } from "@app/shared";
import type { AuthMetrics } from "../application/ports";
import type { ThrottleScope } from "../domain/loginThrottle";

export class PrometheusAuthMetrics implements AuthMetrics {
  private readonly counters;

  constructor(metrics: Metrics) {
    this.counters = declareCounters(metrics, "auth", {
      logins: ["logins_total", "Login attempts by outcome", ["outcome"]],
      registrations: ["registrations_total", "Registration attempts by outcome", ["outcome"]],
      refreshes: ["refreshes_total", "Refresh attempts by outcome", ["outcome"]],
      throttled: [
        "throttled_attempts_total",
        "Login attempts refused by throttling, by the counter that refused",
        ["scope"],
      ],
      purged: ["refresh_tokens_purged_total", "Expired or revoked refresh tokens deleted"],
    });
  }

  login(outcome: string): void {
    this.counters.logins.inc({ outcome });
  }

  registration(outcome: string): void {
    this.counters.registrations.inc({ outcome });
  }

  refresh(outcome: string): void {
    this.counters.refreshes.inc({ outcome });
  }

  throttled(scope: ThrottleScope): void {
    this.counters.throttled.inc({ scope });
  }

  refreshTokensPurged(count: number): void {
    this.counters.purged.inc(count);
  }
}
