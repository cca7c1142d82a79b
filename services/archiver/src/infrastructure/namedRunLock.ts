import { serverLockName, type Pool, type PoolConnection } from "@app/shared";
import type { HeldRunLock, RunLock } from "../application/ports";

/**
 * GET_LOCK names are server-wide; the database name keeps archivers of different databases apart
 * (hashed past MySQL's 64 characters).
 */
export function archiveRunLockName(database: string): string {
  return serverLockName(`archiver:${database}`);
}

/**
 * The run lock as a MariaDB named lock on a connection held for the whole run: if the process
 * dies, the server drops the connection and with it the lock, so a crash never wedges the job.
 */
export class NamedRunLock implements RunLock {
  constructor(
    private readonly pool: Pool,
    private readonly name: string,
  ) {}

  async acquire(waitSeconds: number): Promise<HeldRunLock | null> {
    const conn = await this.pool.getConnection();
    try {
      const rows: { acquired: number | null }[] = await conn.query(
        "SELECT GET_LOCK(?, ?) AS acquired",
        [this.name, waitSeconds],
      );
      if (rows[0]?.acquired !== 1) {
        await conn.release();
        return null;
      }
    } catch (error) {
      await conn.release();
      throw error;
    }
    return { release: () => release(conn, this.name) };
  }
}

async function release(conn: PoolConnection, name: string): Promise<void> {
  try {
    await conn.query("SELECT RELEASE_LOCK(?)", [name]);
  } finally {
    await conn.release();
  }
}
