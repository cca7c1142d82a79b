import { declareCounters, declareHistograms, type Metrics, type Pool } from "@app/shared";
import type { RelayMetrics } from "../application/ports";
import { readOutboxGauges, type OutboxGauges } from "./mariadbOutboxStore";
import type { OutboxGaugeLease } from "./outboxGaugeLease";

/** The relay's metrics; the outbox gauges are read from the table when Prometheus scrapes. */
type Gauge = ReturnType<Metrics["gauge"]>;

export class PrometheusRelayMetrics implements RelayMetrics {
  private readonly counters;
  private readonly duration;

  constructor(metrics: Metrics, pool: Pool, lease: OutboxGaugeLease) {
    this.counters = declareCounters(metrics, "outbox", {
      published: ["published_total", "Outbox events published to Kafka and marked PUBLISHED"],
      publishFailures: [
        "publish_failures_total",
        "Sends of outbox rows the broker refused, each spending an attempt (each row counted)",
      ],
      deferred: [
        "publish_deferred_total",
        "Sends of outbox rows that failed because Kafka was unavailable; no attempt spent (each row counted)",
      ],
      failed: ["failed_total", "Outbox rows parked as FAILED after their last attempt"],
      purged: ["purged_total", "Published outbox rows deleted by retention"],
    });
    this.duration = declareHistograms(metrics, "outbox", {
      publish: ["publish_duration_seconds", "Duration of one Kafka send of a batch"],
    }).publish;
    let last: Promise<OutboxGauges | undefined> | undefined;
    // One read feeds every gauge within a scrape, and only on the replica holding the lease.
    const gauges = () =>
      (last ??= (async () => ((await lease.held()) ? readOutboxGauges(pool) : undefined))().finally(
        () => setTimeout(() => (last = undefined), 0),
      ));
    // A scrape while the database is down keeps the previous values rather than failing /metrics;
    // a replica without the lease reports no series at all.
    const read = async (gauge: Gauge, value: (g: OutboxGauges) => number) => {
      try {
        const g = await gauges();
        if (g) gauge.set(value(g));
        else gauge.remove();
      } catch {
        /* previous values stay */
      }
    };
    const tableGauge = (name: string, help: string, value: (g: OutboxGauges) => number) =>
      // No series until the table has been read: a 0 before that would claim an empty outbox.
      metrics
        .gauge(name, `${help} (reported by one relay replica only)`, [], async function () {
          await read(this, value);
        })
        .remove();
    const tableGauges: [string, string, (g: OutboxGauges) => number][] = [
      ["outbox_ready_backlog", "READY outbox rows (published or not yet due)", (g) => g.ready],
      [
        "outbox_oldest_ready_age_seconds",
        "Age of the oldest READY outbox row",
        (g) => g.oldestAgeSeconds,
      ],
      [
        "outbox_failed_rows",
        "Outbox rows parked as FAILED, waiting for an operator to requeue or remove them",
        (g) => g.failed,
      ],
      [
        "outbox_orders_blocked_by_failed",
        "Orders whose later events wait behind a FAILED event until an operator requeues or removes it",
        (g) => g.ordersBlockedByFailed,
      ],
    ];
    for (const [name, help, value] of tableGauges) tableGauge(name, help, value);
  }

  published(count: number): void {
    if (count) this.counters.published.inc(count);
  }
  publishFailed(count: number): void {
    if (count) this.counters.publishFailures.inc(count);
  }
  publishDeferred(count: number): void {
    if (count) this.counters.deferred.inc(count);
  }
  parkedAsFailed(count: number): void {
    if (count) this.counters.failed.inc(count);
  }
  publishDuration(seconds: number): void {
    this.duration.observe(seconds);
  }
  purged(count: number): void {
    if (count) this.counters.purged.inc(count);
  }
}
