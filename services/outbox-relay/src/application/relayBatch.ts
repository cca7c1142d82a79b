import type { Logger } from "@app/shared";
import { toOutboundEvent, type OutboundEvent, type OutboxRow } from "../domain/outboxEvent";
import { decideAfterFailure, deferredUntil, type RetrySettings } from "../domain/retryPolicy";
import type {
  Clock,
  EventPublisher,
  OutboxStore,
  PublishResult,
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

/** Rows settled by one pass; rows deferred while Kafka is unavailable are not work done. */
export interface BatchReport {
  published: number;
  retried: number;
  failed: number;
}

type Failure = Extract<PublishResult, { ok: false }>;

/**
 * One claim: publish the claimed rows (at most one per order, oldest first), then settle each
 * as published, retry or failed; rows Kafka could not take stay READY with their attempts.
 */
export async function relayBatch(
  deps: RelayBatchDeps,
  settings: RelayBatchSettings,
): Promise<BatchReport> {
  const settlements = await deps.outbox.claimAndSettle(settings.batchSize, (rows) =>
    publishRows(deps, settings, rows),
  );
  const report = { published: 0, retried: 0, failed: 0 };
  let deferred = 0;
  for (const s of settlements) {
    if (s.kind === "published") report.published++;
    else if (s.kind === "retry") report.retried++;
    else if (s.kind === "failed") report.failed++;
    else deferred++;
  }
  deps.metrics.published(report.published);
  deps.metrics.publishFailed(report.retried + report.failed);
  deps.metrics.parkedAsFailed(report.failed);
  deps.metrics.publishDeferred(deferred);
  for (const s of settlements) {
    if (s.kind === "failed")
      deps.logger.error("outbox event parked as FAILED; later events of its order wait", {
        rowId: s.rowId,
        orderId: s.aggregateId,
        attempts: s.attempts,
        error: s.error,
      });
  }
  if (report.retried)
    deps.logger.warn("kafka refused outbox events; rows back off", {
      rows: report.retried,
      error: settlements.find((s) => s.kind === "retry")?.error,
    });
  if (deferred)
    deps.logger.warn("kafka unavailable; outbox rows wait without spending attempts", {
      rows: deferred,
      error: settlements.find((s) => s.kind === "deferred")?.error,
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
  const now = deps.clock.now();
  return rows.map((row) => failureOf(row, result, settings, now));
}

async function publishOneByOne(
  deps: RelayBatchDeps,
  settings: RelayBatchSettings,
  rows: OutboxRow[],
): Promise<Settlement[]> {
  const settlements: Settlement[] = [];
  for (const [i, row] of rows.entries()) {
    const event = toOutboundEvent(row);
    const result = await timedPublish(deps, [event]);
    if (result.ok) {
      await deps.hooks?.afterPublish?.([event]);
      settlements.push({ rowId: row.id, kind: "published", at: deps.clock.now() });
    } else if (result.reason === "rejected") {
      settlements.push(failureOf(row, result, settings, deps.clock.now()));
    } else {
      // Kafka went away meanwhile: this row and the rest wait for it, attempts untouched.
      const now = deps.clock.now();
      for (const rest of rows.slice(i)) settlements.push(failureOf(rest, result, settings, now));
      break;
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

/** Only a refusal of the message itself spends an attempt; an outage never does. */
function failureOf(
  row: OutboxRow,
  failure: Failure,
  settings: RetrySettings,
  now: Date,
): Settlement {
  const error = failure.error;
  if (failure.reason === "unavailable")
    return { rowId: row.id, kind: "deferred", availableAt: deferredUntil(settings, now), error };
  const decision = decideAfterFailure(row.attempts, settings, now);
  return decision.kind === "failed"
    ? {
        rowId: row.id,
        kind: "failed",
        aggregateId: row.aggregateId,
        attempts: decision.attempts,
        error,
      }
    : {
        rowId: row.id,
        kind: "retry",
        attempts: decision.attempts,
        availableAt: decision.availableAt,
        error,
      };
}
