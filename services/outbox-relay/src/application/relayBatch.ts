import type { Logger } from "@app/shared";
import { toOutboundEvent, type OutboundEvent, type OutboxRow } from "../domain/outboxEvent";
import { decideAfterFailure, type RetrySettings } from "../domain/retryPolicy";
import type {
  Clock,
  EventPublisher,
  OutboxStore,
  RelayHooks,
  RelayMetrics,
  Settlement,
} from "./ports";

export interface RelayBatchDeps {
  outbox: OutboxStore;
  publisher: EventPublisher;
  metrics: RelayMetrics;
  clock: Clock;
  logger: Logger;
  hooks?: RelayHooks;
}

export interface RelayBatchSettings extends RetrySettings {
  batchSize: number;
}

export interface BatchReport {
  published: number;
  retried: number;
  failed: number;
}

/** One claim: publish the claimed rows in id order, then settle each as published, retry or failed. */
export async function relayBatch(
  deps: RelayBatchDeps,
  settings: RelayBatchSettings,
): Promise<BatchReport> {
  const settlements = await deps.outbox.claimAndSettle(settings.batchSize, (rows) =>
    publishRows(deps, settings, rows),
  );
  const report = { published: 0, retried: 0, failed: 0 };
  for (const s of settlements) {
    if (s.kind === "published") report.published++;
    else if (s.kind === "retry") report.retried++;
    else report.failed++;
  }
  deps.metrics.published(report.published);
  deps.metrics.publishFailed(report.retried + report.failed);
  deps.metrics.parkedAsFailed(report.failed);
  for (const s of settlements) {
    if (s.kind === "failed")
      deps.logger.error("outbox event parked as FAILED", {
        rowId: s.rowId,
        attempts: s.attempts,
        error: s.error,
      });
  }
  if (report.retried)
    deps.logger.warn("outbox publish failed; rows back off", {
      rows: report.retried,
      error: settlements.find((s) => s.kind === "retry")?.error,
    });
  return report;
}

async function publishRows(
  deps: RelayBatchDeps,
  settings: RelayBatchSettings,
  rows: OutboxRow[],
): Promise<Settlement[]> {
  if (!rows.length) return [];
  const events = rows.map(toOutboundEvent);
  const result = await timedPublish(deps, events);
  if (result.ok) {
    await deps.hooks?.afterPublish?.(events);
    const at = deps.clock.now();
    return rows.map((row) => ({ rowId: row.id, kind: "published" as const, at }));
  }
  // One refused message must not hold its batch-mates hostage: send them one by one instead.
  if (result.reason === "rejected" && rows.length > 1) return publishOneByOne(deps, settings, rows);
  return rows.map((row) => failureOf(row, result.error, settings, deps.clock.now()));
}

async function publishOneByOne(
  deps: RelayBatchDeps,
  settings: RelayBatchSettings,
  rows: OutboxRow[],
): Promise<Settlement[]> {
  const settlements: Settlement[] = [];
  const stalledOrders = new Set<string>();
  for (const row of rows) {
    // A later event of an order whose earlier event just failed must not overtake it.
    if (stalledOrders.has(row.aggregateId)) continue;
    const event = toOutboundEvent(row);
    const result = await timedPublish(deps, [event]);
    if (result.ok) {
      await deps.hooks?.afterPublish?.([event]);
      settlements.push({ rowId: row.id, kind: "published", at: deps.clock.now() });
    } else {
      stalledOrders.add(row.aggregateId);
      settlements.push(failureOf(row, result.error, settings, deps.clock.now()));
    }
  }
  return settlements;
}

async function timedPublish(deps: RelayBatchDeps, events: OutboundEvent[]) {
  const started = performance.now();
  const result = await deps.publisher.publish(events);
  deps.metrics.publishDuration((performance.now() - started) / 1000);
  return result;
}

function failureOf(row: OutboxRow, error: string, settings: RetrySettings, now: Date): Settlement {
  const decision = decideAfterFailure(row.attempts, settings, now);
  return decision.kind === "failed"
    ? { rowId: row.id, kind: "failed", attempts: decision.attempts, error }
    : {
        rowId: row.id,
        kind: "retry",
        attempts: decision.attempts,
        availableAt: decision.availableAt,
        error,
      };
}
