import type { Metrics } from "@app/shared";
import type { OrderMetrics, PlacementMetricOutcome } from "../application/ports";
import { breakerState, type BreakerState } from "./circuitBreaker";

const STATES: readonly BreakerState[] = ["closed", "half_open", "open"];

export class PrometheusOrderMetrics implements OrderMetrics {
  private readonly placed;
  private readonly duration;
  private readonly replays;
  private readonly conflicts;
  private readonly recovered;
  private readonly breakers = new Map<string, { opened: boolean; halfOpen: boolean }>();

  constructor(metrics: Metrics) {
    this.placed = metrics.counter("order_placements_total", "Order placements by outcome", [
      "outcome",
    ]);
    this.duration = metrics.histogram(
      "order_placement_duration_seconds",
      "Time to answer an order placement, by outcome",
      ["outcome"],
    );
    this.replays = metrics.counter(
      "order_idempotent_replays_total",
      "Answers replayed for a reused Idempotency-Key",
    );
    this.conflicts = metrics.counter(
      "order_idempotency_in_flight_conflicts_total",
      "Requests refused because their key was still in flight",
    );
    this.recovered = metrics.counter(
      "order_placement_recoveries_total",
      "Abandoned placements resolved by recovery, by outcome",
      ["outcome"],
    );
    const breakers = this.breakers;
    // One series per state, 1 for the current one: `== 1` alerts and sums read right, unlike a
    // 0/1/2 code whose average across replicas means nothing.
    metrics.gauge(
      "order_circuit_breaker_state",
      "1 for the state the breaker is in (closed, half_open, open), 0 for the others",
      ["breaker", "state"],
      function collect() {
        for (const [name, breaker] of breakers) {
          const current = breakerState(breaker);
          for (const state of STATES) this.set({ breaker: name, state }, state === current ? 1 : 0);
        }
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
