import type { Pool } from "@app/shared";
import type { OutboxMaintenanceStore, OutboxStatus } from "../application/outboxMaintenance";

export class MariaDbOutboxMaintenance implements OutboxMaintenanceStore {
  constructor(private readonly pool: Pool) {}

  async status(failedLimit: number, now: Date): Promise<OutboxStatus> {
    const [counts, oldest, failed] = await Promise.all([
      this.pool.query("SELECT status, COUNT(*) AS n FROM outbox_events GROUP BY status") as Promise<
        { status: string; n: number | bigint }[]
      >,
      this.pool.query(
        "SELECT MIN(created_at) AS oldest FROM outbox_events WHERE status = 'READY'",
      ) as Promise<{ oldest: Date | null }[]>,
      this.pool.query(
        `SELECT event_id, aggregate_id, event_type, attempts, last_error, created_at
         FROM outbox_events WHERE status = 'FAILED' ORDER BY id LIMIT ?`,
        [failedLimit],
      ) as Promise<
        {
          event_id: string;
          aggregate_id: string;
          event_type: string;
          attempts: number;
          last_error: string | null;
          created_at: Date;
        }[]
      >,
    ]);
    const byStatus: Record<string, number> = { READY: 0, PUBLISHED: 0, FAILED: 0 };
    for (const row of counts) byStatus[row.status] = Number(row.n);
    const oldestReady = oldest[0]?.oldest;
    return {
      byStatus,
      oldestReadyAgeSeconds: oldestReady
        ? Math.max(0, Math.round((now.getTime() - oldestReady.getTime()) / 1000))
        : null,
      failed: failed.map((row) => ({
        eventId: row.event_id,
        aggregateId: row.aggregate_id,
        eventType: row.event_type,
        attempts: Number(row.attempts),
        lastError: row.last_error,
        createdAt: row.created_at.toISOString(),
      })),
    };
  }

  async countFailed(eventId?: string): Promise<number> {
    const rows = (await this.pool.query(
      `SELECT COUNT(*) AS n FROM outbox_events WHERE status = 'FAILED'${eventId ? " AND event_id = ?" : ""}`,
      eventId ? [eventId] : [],
    )) as { n: number | bigint }[];
    return Number(rows[0]?.n ?? 0);
  }

  async requeueFailed(now: Date, eventId?: string): Promise<number> {
    // Conditional on FAILED, so a row the relay or another operator changed meanwhile is left
    // alone; attempts restart so the row gets the relay's whole retry budget again.
    const result = (await this.pool.query(
      `UPDATE outbox_events SET status = 'READY', attempts = 0, available_at = ?, last_error = NULL
       WHERE status = 'FAILED'${eventId ? " AND event_id = ?" : ""}`,
      eventId ? [now, eventId] : [now],
    )) as { affectedRows: number };
    return Number(result.affectedRows);
  }
}
