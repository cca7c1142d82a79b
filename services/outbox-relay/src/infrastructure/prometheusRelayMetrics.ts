import type { Metrics, Pool } from "@app/shared";
import type { RelayMetrics } from "../application/ports";
import { readBacklog } from "./mariadbOutboxStore";

/** The relay's metrics; the backlog gauges are read from the outbox when Prometheus scrapes. */
export class PrometheusRelayMetrics implements RelayMetrics {
  private readonly publishedTotal;
  private readonly publishFailuresTotal;
  private readonly failedTotal;
  private readonly purgedTotal;
  private readonly duration;

  constructor(metrics: Metrics, pool: Pool) {
    this.publishedTotal = metrics.counter(
      "outbox_published_total",
      "Outbox events published to Kafka and marked PUBLISHED",
    );
    this.publishFailuresTotal = metrics.counter(
      "outbox_publish_failures_total",
      "Failed publish attempts of outbox rows (each row counted)",
    );
    this.failedTotal = metrics.counter(
      "outbox_failed_total",
      "Outbox rows parked as FAILED after their last attempt",
    );
    this.purgedTotal = metrics.counter(
      "outbox_purged_total",
      "Published outbox rows deleted by retention",
    );
    this.duration = metrics.histogram(
      "outbox_publish_duration_seconds",
      "Duration of one Kafka send of a batch",
    );
    let last: Promise<{ ready: number; oldestAgeSeconds: number }> | undefined;
    // One query feeds both gauges within a scrape.
    const backlog = () =>
      (last ??= readBacklog(pool).finally(() => setTimeout(() => (last = undefined), 0)));
    // A scrape while the database is down keeps the previous values rather than failing /metrics.
    const read = async (apply: (b: { ready: number; oldestAgeSeconds: number }) => void) => {
      try {
        apply(await backlog());
      } catch {
        /* previous values stay */
      }
    };
    metrics.gauge(
      "outbox_ready_backlog",
      "READY outbox rows (published or not yet due)",
      [],
      async function () {
        await read((b) => this.set(b.ready));
      },
    );
    metrics.gauge(
      "outbox_oldest_ready_age_seconds",
      "Age of the oldest READY outbox row",
      [],
      async function () {
        await read((b) => this.set(b.oldestAgeSeconds));
      },
    );
  }

  published(count: number): void {
    if (count) this.publishedTotal.inc(count);
  }
  publishFailed(count: number): void {
    if (count) this.publishFailuresTotal.inc(count);
  }
  parkedAsFailed(count: number): void {
    if (count) this.failedTotal.inc(count);
  }
  publishDuration(seconds: number): void {
    this.duration.observe(seconds);
  }
  purged(count: number): void {
    if (count) this.purgedTotal.inc(count);
  }
}
