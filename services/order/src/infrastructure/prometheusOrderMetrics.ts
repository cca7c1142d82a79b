import type { Metrics } from "@app/shared";
import type { OrderMetrics, PlacementMetricOutcome } from "../application/ports";
import { breakerState, type BreakerState } from "./circuitBreaker";

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export class PrometheusOrderMetrics implements OrderMetrics {
  private readonly placed;
  private readonly duration;
  private readonly replays;
  private readonly conflicts;
  private readonly recovered;
  private readonly breakers = new Map<string, { opened: boolean; halfOpen: boolean }>();

  constructor(metrics: Metrics) {
    this.placed = metrics.counter("orders_placed_total", "Order placements by outcome", [
      "outcome",
    ]);
    this.duration = metrics.histogram(
      "order_placement_duration_seconds",
      "Time to answer an order placement, by outcome",
      ["outcome"],
    );
    this.replays = metrics.counter(
      "idempotent_replays_total",
      "Answers replayed for a reused Idempotency-Key",
    );
    this.conflicts = metrics.counter(
      "idempotency_in_flight_conflicts_total",
      "Requests refused because their key was still in flight",
    );
    this.recovered = metrics.counter(
      "placement_recoveries_total",
      "Abandoned placements resolved by recovery, by outcome",
      ["outcome"],
    );
    const breakers = this.breakers;
    metrics.gauge(
      "circuit_breaker_state",
      "Circuit breaker state: 0 closed, 1 half-open, 2 open",
      ["breaker"],
      function collect() {
        for (const [name, breaker] of breakers)
          this.set({ breaker: name }, STATE_VALUE[breakerState(breaker)]);
      },
    );
  }

  watchBreaker(name: string, breaker: { opened: boolean; halfOpen: boolean }): void {
    this.breakers.set(name, breaker);
  }

  placement(outcome: PlacementMetricOutcome, seconds: number): void {
    this.placed.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
  }

  replay(): void {
    this.replays.inc();
  }

  inFlightConflict(): void {
    this.conflicts.inc();
  }

  recovery(outcome: "completed" | "freed" | "deferred"): void {
    this.recovered.inc({ outcome });
  }
}
