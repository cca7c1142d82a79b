import type { OutboundEvent, OutboxRow } from "../domain/outboxEvent";

/** What happened to one claimed row, written back in the claim's transaction. */
export type Settlement =
  | { rowId: number; kind: "published"; at: Date }
  | { rowId: number; kind: "retry"; attempts: number; availableAt: Date; error: string }
  | { rowId: number; kind: "failed"; attempts: number; error: string };

export interface OutboxStore {
  /**
   * Claims up to `limit` publishable rows (locked against other replicas, oldest first, at most
   * the head of each order's queue), lets `work` decide their fate while they stay locked, and
   * writes the settlements in the same transaction. Rows without a settlement stay as they were.
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
  /** The broker could not be reached or did not answer: a later attempt may succeed. */
  | { ok: false; reason: "unavailable"; error: string }
  /** The broker refused the message itself (too large, invalid): resending the batch cannot help. */
  | { ok: false; reason: "rejected"; error: string };

export interface EventPublisher {
  /** Connects and makes sure the topics exist; false while the broker cannot be reached. */
  ready(): Promise<boolean>;
  /** Publishes in the given order; per-order order holds because one order maps to one key. */
  publish(events: OutboundEvent[]): Promise<PublishResult>;
  close(): Promise<void>;
}

export interface RelayMetrics {
  published(count: number): void;
  publishFailed(count: number): void;
  parkedAsFailed(count: number): void;
  publishDuration(seconds: number): void;
  purged(count: number): void;
}

export interface Clock {
  now(): Date;
}

/** Test seams at the points where a crash matters. */
export interface RelayHooks {
  /** Runs after Kafka acknowledged a batch and before the rows are marked PUBLISHED. */
  afterPublish?: (events: OutboundEvent[]) => Promise<void> | void;
}
