import { declareCounters, declareHistograms, type Metrics } from "@app/shared";
import type { OrderMetrics, PlacementMetricOutcome } from "../application/ports";
import { breakerState, type BreakerState } from "./circuitBreaker";

const STATES: readonly BreakerState[] = ["closed", "half_open", "open"];

export class PrometheusOrderMetrics implements OrderMetrics {
  private readonly counters;
  private readonly duration;
  private readonly breakers = new Map<string, { opened: boolean; halfOpen: boolean }>();

  constructor(metrics: Metrics) {
    this.counters = declareCounters(metrics, "order", {
      placed: ["placements_total", "Order placements by outcome", ["outcome"]],
      replays: ["idempotent_replays_total", "Answers replayed for a reused Idempotency-Key"],
      conflicts: [
        "idempotency_in_flight_conflicts_total",
        "Requests refused because their key was still in flight",
      ],
      recovered: [
        "placement_recoveries_total",
        "Abandoned placements resolved by recovery, by outcome",
        ["outcome"],
      ],
    });
    this.duration = declareHistograms(metrics, "order", {
      placement: [
        "placement_duration_seconds",
        "Time to answer an order placement, by outcome",
        ["outcome"],
      ],
    }).placement;
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
    this.counters.placed.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
  }

  replay(): void {
    this.counters.replays.inc();
  }

  inFlightConflict(): void {
    this.counters.conflicts.inc();
  }

  recovery(outcome: "completed" | "freed" | "deferred"): void {
    this.counters.recovered.inc({ outcome });
  }
}
