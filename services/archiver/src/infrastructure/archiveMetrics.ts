import { declareCounters, declareGauges, declareHistograms, Metrics } from "@app/shared";
import { Pushgateway } from "prom-client";
import type { ArchiveMetrics, ChunkResult, EligibleCount } from "../application/ports";
import type { ArchiveOutcome } from "../domain/archivePolicy";

export const PUSHGATEWAY_JOB = "archiver";

/** A job has no /metrics to scrape: the run's metrics live here and are pushed once at the end. */
export class PrometheusArchiveMetrics implements ArchiveMetrics {
  readonly metrics = new Metrics({ collectDefaults: false });
  private readonly counters = declareCounters(this.metrics, "archiver", {
    archived: ["orders_archived_total", "Orders moved to orders_archive by this run"],
    items: ["items_archived_total", "Order items moved to order_items_archive by this run"],
    chunks: ["chunks_total", "Chunk transactions committed by this run"],
    noLongerEligible: [
      "candidates_no_longer_eligible_total",
      "Candidates gone or changed by the time their chunk locked them",
    ],
    retries: [
      "chunk_retries_total",
      "Chunk transactions the database rolled back and the archiver retried",
    ],
  });
  private readonly lockHeld = declareHistograms(this.metrics, "archiver", {
    lockHeld: [
      "chunk_lock_held_seconds",
      "How long one chunk transaction held its row locks",
      [],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ],
  }).lockHeld;
  private readonly gauges = declareGauges(this.metrics, "archiver", {
    eligible: ["eligible_orders", "Orders a dry run found eligible"],
    duration: ["run_duration_seconds", "Duration of the last run"],
    lastRun: ["last_run_timestamp_seconds", "When the last run ended, by outcome", ["outcome"]],
  });

  chunkMoved(chunk: ChunkResult): void {
    this.counters.archived.inc(chunk.archived);
    this.counters.items.inc(chunk.items);
    this.counters.chunks.inc();
    this.counters.noLongerEligible.inc(chunk.noLongerEligible);
    this.counters.retries.inc(chunk.retries);
    this.lockHeld.observe(chunk.lockHeldMs / 1000);
  }

  eligibleCounted(count: EligibleCount): void {
    this.gauges.eligible.set(count.orders);
  }

  runEnded(outcome: ArchiveOutcome["kind"] | "FAILED", durationMs: number): void {
    this.gauges.duration.set(durationMs / 1000);
    this.gauges.lastRun.set({ outcome }, Date.now() / 1000);
  }

  /** PUT replaces the job's previous group, so the gateway always shows the last run alone. */
  async push(url: string): Promise<void> {
    const gateway = new Pushgateway(url, { timeout: 5_000 }, this.metrics.registry);
    await gateway.push({ jobName: PUSHGATEWAY_JOB });
  }
}
