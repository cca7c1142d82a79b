import type { Pool, PoolConnection } from "@app/shared";

// GET_LOCK names are server-wide: the database's hash keeps systems sharing a server apart
// within MySQL's 64-character limit.
const LOCK = "CONCAT('outbox-gauges:', MD5(DATABASE()))";

/**
 * Decides which relay replica reports the outbox gauges: the one holding a named lock on a
 * connection it keeps. The gauges describe the table, not the replica, so one reporter keeps
 * `sum` and `max` alike right and costs the database one read per scrape instead of one per
 * replica. When the holder dies the server drops its connection and lock, and the next scrape
 * of another replica takes over.
 */
export class OutboxGaugeLease {
  private conn: PoolConnection | undefined;

  constructor(private readonly pool: Pool) {}

  async held(): Promise<boolean> {
    try {
      this.conn ??= await this.pool.getConnection();
      // Asking again while holding it would stack a second hold on MySQL: check ownership first.
      const rows: { held: unknown }[] = await this.conn.query(
        `SELECT IF(IS_USED_LOCK(${LOCK}) = CONNECTION_ID(), 1, GET_LOCK(${LOCK}, 0)) AS held`,
      );
      return Number(rows[0]?.held) === 1;
    } catch {
      this.release();
      return false;
    }
  }

  /** Closing the connection frees the lock for another replica. */
  release(): void {
    const conn = this.conn;
    this.conn = undefined;
    conn?.destroy();
  }
}
