import type { OutboundEvent, OutboxRow } from "../domain/outboxEvent";

/** What happened to one claimed row, written back in the claim's transaction. */
export type Settlement =
  | { rowId: number; kind: "published"; at: Date }
  /** The broker refused the message: an attempt spent, backing off until `availableAt`. */
  | { rowId: number; kind: "retry"; attempts: number; availableAt: Date; error: string }
  /** Refused on its last attempt: parked for an operator; later events of its order wait. */
  | { rowId: number; kind: "failed"; aggregateId: string; attempts: number; error: string }
  /** Kafka was unavailable: no attempt spent, the row stays READY until `availableAt`. */
  | { rowId: number; kind: "deferred"; availableAt: Date; error: string };

export interface OutboxStore {
  /**
   * Claims up to `limit` publishable rows (locked against other replicas, oldest first, only
   * the head of each order's queue: no earlier READY or FAILED row of the same order exists),
   * lets `work` decide their fate while they stay locked, and writes the settlements in the
   * same transaction. Rows without a settlement stay as they were.
   */
  claimAndSettle(
    limit: number,
    work: (rows: OutboxRow[]) => Promise<Settlement[]>,
  ): Promise<Settlement[]>;
  /** Deletes up to `limit` PUBLISHED rows published before `before`; returns how many. */
  deletePublishedBefore(before: Date, limit: number): Promise<number>;
}

export type PublishResult =
  | { ok: true }
  /**
   * Kafka could not take the batch (unreachable, timed out, no leader...): nothing is wrong
   * with the messages, so no attempt is counted; the publisher reports itself not ready.
   */
  | { ok: false; reason: "unavailable"; error: string }
  /** The broker refused a message itself (too large, invalid): resending the batch cannot help. */
  | { ok: false; reason: "rejected"; error: string };

export interface EventPublisher {
  /**
   * Connects and makes sure the topics exist; false while the broker cannot be reached, and
   * again after an "unavailable" send until a reconnect succeeds (attempted with backoff).
   */
  ready(): Promise<boolean>;
  /** Publishes in the given order; per-order order holds because one order maps to one key. */
  publish(events: OutboundEvent[]): Promise<PublishResult>;
  close(): Promise<void>;
}

export interface RelayMetrics {
  published(count: number): void;
  /** Rows whose send the broker refused (an attempt spent each). */
  publishFailed(count: number): void;
  /** Rows whose send failed because Kafka was unavailable (no attempt spent). */
  publishDeferred(count: number): void;
  parkedAsFailed(count: number): void;
  publishDuration(seconds: number): void;
  purged(count: number): void;
}

export type { Clock } from "@app/shared";

/** Test seams at the points where a crash matters. */
export interface RelayHooks {
  /** Runs after Kafka acknowledged a batch and before the rows are marked PUBLISHED. */
  afterPublish?: (events: OutboundEvent[]) => Promise<void> | void;
}
