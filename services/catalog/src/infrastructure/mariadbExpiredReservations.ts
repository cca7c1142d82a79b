import type { Pool } from "@app/shared";
import type {
  ExpiredReservation,
  ExpiredReservationQuery,
} from "../application/expiredReservations";

/** Plain reads (no locks): listing never holds up the sweeper or a reservation. */
export class MariaDbExpiredReservations implements ExpiredReservationQuery {
  constructor(private readonly pool: Pool) {}

  async listExpired(now: Date, limit: number): Promise<ExpiredReservation[]> {
    const rows = (await this.pool.query(
      `SELECT r.id, r.expires_at, r.created_at, COUNT(i.product_id) AS line_count,
              COALESCE(SUM(i.quantity), 0) AS units
       FROM reservations r LEFT JOIN reservation_items i ON i.reservation_id = r.id
       WHERE r.status = 'RESERVED' AND r.expires_at <= ?
       GROUP BY r.id, r.expires_at, r.created_at
       ORDER BY r.expires_at LIMIT ?`,
      [now, limit],
    )) as {
      id: string;
      expires_at: Date;
      created_at: Date;
      line_count: number | bigint;
      units: number | bigint | string;
    }[];
    return rows.map((row) => ({
      reservationId: row.id,
      expiresAt: row.expires_at.toISOString(),
      createdAt: row.created_at.toISOString(),
      units: Number(row.units),
      lines: Number(row.line_count),
    }));
  }

  async countExpired(now: Date): Promise<number> {
    const rows = (await this.pool.query(
      "SELECT COUNT(*) AS n FROM reservations WHERE status = 'RESERVED' AND expires_at <= ?",
      [now],
    )) as { n: number | bigint }[];
    return Number(rows[0]?.n ?? 0);
  }
}
