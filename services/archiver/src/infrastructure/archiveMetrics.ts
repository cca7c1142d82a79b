import { Metrics } from "@app/shared";
import { Pushgateway } from "prom-client";
import type { ArchiveMetrics, ChunkResult, EligibleCount } from "../application/ports";
import type { ArchiveOutcome } from "../domain/archivePolicy";

export const PUSHGATEWAY_JOB = "archiver";

/** A job has no /metrics to scrape: the run's metrics live here and are pushed once at the end. */
export class PrometheusArchiveMetrics implements ArchiveMetrics {
  readonly metrics = new Metrics({ collectDefaults: false });
  private readonly archived = this.metrics.counter(
    "archiver_orders_archived_total",
    "Orders moved to orders_archive by this run",
  );
  private readonly items = this.metrics.counter(
    "archiver_items_archived_total",
    "Order items moved to order_items_archive by this run",
  );
  private readonly chunks = this.metrics.counter(
    "archiver_chunks_total",
    "Chunk transactions committed by this run",
  );
  private readonly noLongerEligible = this.metrics.counter(
    "archiver_candidates_no_longer_eligible_total",
    "Candidates gone or changed by the time their chunk locked them",
  );
  private readonly retries = this.metrics.counter(
    "archiver_chunk_retries_total",
    "Chunk transactions the database rolled back and the archiver retried",
  );
  private readonly lockHeld = this.metrics.histogram(
    "archiver_chunk_lock_held_seconds",
    "How long one chunk transaction held its row locks",
    [],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  private readonly eligible = this.metrics.gauge(
    "archiver_eligible_orders",
    "Orders a dry run found eligible",
  );
  private readonly duration = this.metrics.gauge(
    "archiver_run_duration_seconds",
    "Duration of the last run",
  );
  private readonly lastRun = this.metrics.gauge(
    "archiver_last_run_timestamp_seconds",
    "When the last run ended, by outcome",
    ["outcome"],
  );

  chunkMoved(chunk: ChunkResult): void {
    this.archived.inc(chunk.archived);
    this.items.inc(chunk.items);
    this.chunks.inc();
    this.noLongerEligible.inc(chunk.noLongerEligible);
    this.retries.inc(chunk.retries);
    this.lockHeld.observe(chunk.lockHeldMs / 1000);
  }

  eligibleCounted(count: EligibleCount): void {
    this.eligible.set(count.orders);
  }

  runEnded(outcome: ArchiveOutcome["kind"] | "FAILED", durationMs: number): void {
    this.duration.set(durationMs / 1000);
    this.lastRun.set({ outcome }, Date.now() / 1000);
  }

  /** PUT replaces the job's previous group, so the gateway always shows the last run alone. */
  async push(url: string): Promise<void> {
    const gateway = new Pushgateway(url, { timeout: 5_000 }, this.metrics.registry);
    await gateway.push({ jobName: PUSHGATEWAY_JOB });
  }
}
