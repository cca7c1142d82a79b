import { inTransaction, type EventEnvelope, type Pool, type PoolConnection } from "@app/shared";
import type { OutboxStore, Settlement } from "../application/ports";
import type { OutboxRow } from "../domain/outboxEvent";

interface RawRow {
  id: number;
  event_id: string;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  payload: string | Record<string, unknown>;
  envelope: string | EventEnvelope | null;
  request_id: string | null;
  traceparent: string | null;
  attempts: number;
  created_at: Date;
}

// MariaDB's JSON is LONGTEXT on the wire: the driver hands back a string.
const fromJson = <T>(value: string | T): T =>
  typeof value === "string" ? (JSON.parse(value) as T) : value;

function toRow(raw: RawRow): OutboxRow {
  return {
    id: Number(raw.id),
    eventId: raw.event_id,
    aggregateType: raw.aggregate_type,
    aggregateId: raw.aggregate_id,
    eventType: raw.event_type,
    envelope: raw.envelope === null ? null : fromJson(raw.envelope),
    payload: fromJson(raw.payload),
    requestId: raw.request_id,
    traceparent: raw.traceparent,
    attempts: Number(raw.attempts),
    createdAt: raw.created_at,
  };
}

// The oldest due READY rows that head their order's queue, not locked by another replica.
// - NOT EXISTS: an order's event waits while an earlier one of the same order is unpublished:
//   READY (backing off, or claimed by another replica: the subquery is a plain consistent read,
//   not a locking one, so it still sees a row SKIP LOCKED passes over) or FAILED (parked until
//   an operator requeues or removes it). Blocked rows are skipped here, so they take no batch
//   slot and a batch fills with publishable rows; at most one row per order per batch.
// - published_at IS NULL (always true for READY) lets the (status, published_at) index hand the
//   rows over in id order, so LIMIT stops the scan: no filesort that would lock every due row.
// - READ COMMITTED (set per transaction) keeps this to record locks: no gap locks that would
//   stall the order service's outbox inserts.
const CLAIM_SQL = `SELECT o.id, o.event_id, o.aggregate_type, o.aggregate_id, o.event_type, o.payload,
    o.envelope, o.request_id, o.traceparent, o.attempts, o.created_at
  FROM outbox_events o
  WHERE o.status = 'READY' AND o.published_at IS NULL AND o.available_at <= ?
    AND NOT EXISTS (
      SELECT 1 FROM outbox_events earlier
      WHERE earlier.aggregate_id = o.aggregate_id
        AND earlier.status IN ('READY', 'FAILED')
        AND earlier.id < o.id)
  ORDER BY o.id
  LIMIT ?
  FOR UPDATE SKIP LOCKED`;

// Whether any row may be due, in one plain indexed read: an idle poll costs this one round trip
// instead of a transaction, so the relay can poll often and pick up a new order's event sooner.
const ANY_DUE_SQL =
  "SELECT 1 FROM outbox_events WHERE status = 'READY' AND published_at IS NULL AND available_at <= ? LIMIT 1";

export class MariaDbOutboxStore implements OutboxStore {
  constructor(private readonly pool: Pool) {}

  async claimAndSettle(
    limit: number,
    work: (rows: OutboxRow[]) => Promise<Settlement[]>,
  ): Promise<Settlement[]> {
    const due = (await this.pool.query(ANY_DUE_SQL, [new Date()])) as unknown[];
    if (!due.length) return [];
    return inTransaction(
      this.pool,
      async (conn) => {
        const rows = ((await conn.query(CLAIM_SQL, [new Date(), limit])) as RawRow[]).map(toRow);
        const settlements = await work(rows);
        await this.settle(conn, settlements);
        return settlements;
      },
      { isolation: "READ COMMITTED" },
    );
  }

  private async settle(conn: PoolConnection, settlements: Settlement[]): Promise<void> {
    const published = settlements.filter((s) => s.kind === "published");
    if (published.length) {
      await conn.query(
        "UPDATE outbox_events SET status = 'PUBLISHED', published_at = ?, last_error = NULL WHERE id IN (?)",
        [published[0]!.at, published.map((s) => s.rowId)],
      );
    }
    const deferred = settlements.filter((s) => s.kind === "deferred");
    if (deferred.length) {
      // One outage, one error and one time for the whole batch; attempts stay as they are.
      await conn.query(
        "UPDATE outbox_events SET available_at = ?, last_error = ? WHERE id IN (?)",
        [deferred[0]!.availableAt, deferred[0]!.error.slice(0, 2000), deferred.map((s) => s.rowId)],
      );
    }
    for (const s of settlements) {
      if (s.kind === "retry") {
        await conn.query(
          "UPDATE outbox_events SET attempts = ?, available_at = ?, last_error = ? WHERE id = ?",
          [s.attempts, s.availableAt, s.error.slice(0, 2000), s.rowId],
        );
      } else if (s.kind === "failed") {
        await conn.query(
          "UPDATE outbox_events SET status = 'FAILED', attempts = ?, last_error = ? WHERE id = ?",
          [s.attempts, s.error.slice(0, 2000), s.rowId],
        );
      }
    }
  }

  async deletePublishedBefore(before: Date, limit: number): Promise<number> {
    const conn = await this.pool.getConnection();
    try {
      // READ COMMITTED: no gap locks, so a purge never waits on (or blocks) rows being claimed or inserted.
      await conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      // LIMIT keeps each delete short; the (status, published_at) index finds the rows.
      const result = (await conn.query(
        "DELETE FROM outbox_events WHERE status = 'PUBLISHED' AND published_at < ? ORDER BY published_at LIMIT ?",
        [before, limit],
      )) as { affectedRows: number };
      return Number(result.affectedRows);
    } finally {
      await conn.release();
    }
  }
}

export interface OutboxGauges {
  ready: number;
  oldestAgeSeconds: number;
  /** Rows parked as FAILED, waiting for an operator. */
  failed: number;
  /** Orders with a FAILED event and later events waiting behind it. */
  ordersBlockedByFailed: number;
}

/** Figures for the metrics gauges, read at scrape time. */
export async function readOutboxGauges(pool: Pool): Promise<OutboxGauges> {
  const [backlog, blocked] = await Promise.all([
    pool.query(
      `SELECT SUM(status = 'READY') AS ready, SUM(status = 'FAILED') AS failed,
         MIN(CASE WHEN status = 'READY' THEN created_at END) AS oldest
       FROM outbox_events WHERE status IN ('READY', 'FAILED')`,
    ) as Promise<{ ready: unknown; failed: unknown; oldest: Date | null }[]>,
    pool.query(
      `SELECT COUNT(DISTINCT f.aggregate_id) AS orders FROM outbox_events f
       WHERE f.status = 'FAILED' AND EXISTS (
         SELECT 1 FROM outbox_events w
         WHERE w.aggregate_id = f.aggregate_id AND w.status = 'READY' AND w.id > f.id)`,
    ) as Promise<{ orders: number }[]>,
  ]);
  const row = backlog[0];
  const oldest = row?.oldest ? row.oldest.getTime() : undefined;
  return {
    ready: Number(row?.ready ?? 0),
    failed: Number(row?.failed ?? 0),
    oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
    ordersBlockedByFailed: Number(blocked[0]?.orders ?? 0),
  };
}
