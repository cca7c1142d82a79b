import type { Pool, PoolConnection } from "mariadb";

/** Runs `work` in one transaction on one connection: commit on return, rollback on throw. */
export async function inTransaction<T>(
  pool: Pool,
  work: (conn: PoolConnection) => Promise<T>,
): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const result = await work(conn);
    await conn.commit();
    return result;
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  } finally {
    await conn.release();
  }
}
