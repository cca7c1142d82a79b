import type { Pool, PoolConnection } from "@app/shared";
import type { OutboxStore, Settlement } from "../application/ports";
import { publishableRows } from "../domain/ordering";
import type { OutboxRow } from "../domain/outboxEvent";

interface RawRow {
  id: number;
  event_id: string;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  payload: string | Record<string, unknown>;
  request_id: string | null;
  attempts: number;
  created_at: Date;
}

function toRow(raw: RawRow): OutboxRow {
  return {
    id: Number(raw.id),
    eventId: raw.event_id,
    aggregateType: raw.aggregate_type,
    aggregateId: raw.aggregate_id,
    eventType: raw.event_type,
    // MariaDB's JSON is LONGTEXT on the wire: the driver hands back a string.
    payload:
      typeof raw.payload === "string"
        ? (JSON.parse(raw.payload) as Record<string, unknown>)
        : raw.payload,
    requestId: raw.request_id,
    attempts: Number(raw.attempts),
    createdAt: raw.created_at,
  };
}

// Oldest ready rows not locked by another replica. READ COMMITTED (set per transaction) keeps
// this to record locks: no gap locks that would stall the order service's outbox inserts.
const CLAIM_SQL = `SELECT id, event_id, aggregate_type, aggregate_id, event_type, payload, request_id, attempts, created_at
  FROM outbox_events
  WHERE status = 'READY' AND available_at <= ?
  ORDER BY id
  LIMIT ?
  FOR UPDATE SKIP LOCKED`;

// Earliest still-unsettled row of each claimed order, among the rows this claim does not hold:
// a locked one (another replica) or one backing off. Anything later than it must wait.
const BLOCKERS_SQL = `SELECT aggregate_id, MIN(id) AS blocker
  FROM outbox_events
  WHERE aggregate_id IN (?) AND status = 'READY' AND id NOT IN (?)
  GROUP BY aggregate_id`;

export class MariaDbOutboxStore implements OutboxStore {
  constructor(private readonly pool: Pool) {}

  async claimAndSettle(
    limit: number,
    work: (rows: OutboxRow[]) => Promise<Settlement[]>,
  ): Promise<Settlement[]> {
    const conn = await this.pool.getConnection();
    try {
      await conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      await conn.beginTransaction();
      try {
        const claimed = ((await conn.query(CLAIM_SQL, [new Date(), limit])) as RawRow[]).map(toRow);
        const rows = claimed.length
          ? publishableRows(claimed, await this.blockers(conn, claimed))
          : [];
        const settlements = await work(rows);
        await this.settle(conn, settlements);
        await conn.commit();
        return settlements;
      } catch (error) {
        await conn.rollback().catch(() => undefined);
        throw error;
      }
    } finally {
      await conn.release();
    }
  }

  private async blockers(conn: PoolConnection, claimed: OutboxRow[]): Promise<Map<string, number>> {
    const aggregates = [...new Set(claimed.map((r) => r.aggregateId))];
    const rows: { aggregate_id: string; blocker: number }[] = await conn.query(BLOCKERS_SQL, [
      aggregates,
      claimed.map((r) => r.id),
    ]);
    return new Map(rows.map((r) => [r.aggregate_id, Number(r.blocker)]));
  }

  private async settle(conn: PoolConnection, settlements: Settlement[]): Promise<void> {
    const published = settlements.filter((s) => s.kind === "published");
    if (published.length) {
      await conn.query(
        "UPDATE outbox_events SET status = 'PUBLISHED', published_at = ?, last_error = NULL WHERE id IN (?)",
        [published[0]!.at, published.map((s) => s.rowId)],
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

/** Backlog figures for the metrics gauges, read at scrape time. */
export async function readBacklog(
  pool: Pool,
): Promise<{ ready: number; oldestAgeSeconds: number }> {
  const rows: { ready: number; oldest: Date | null }[] = await pool.query(
    "SELECT COUNT(*) AS ready, MIN(created_at) AS oldest FROM outbox_events WHERE status = 'READY'",
  );
  const row = rows[0];
  const oldest = row?.oldest ? row.oldest.getTime() : undefined;
  return {
    ready: Number(row?.ready ?? 0),
    oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
  };
}
