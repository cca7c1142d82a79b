import type { Connection, Pool, PoolConnection } from "mariadb";

const ROLLED_BACK = Symbol("rolledBack");

/** An outcome whose writes must not stay: the transaction rolls back and answers `value`. */
export interface RolledBack<T> {
  readonly [ROLLED_BACK]: T;
}

/** Return it from a transaction's work to roll back and still answer with `value`. */
export function rollBack<T>(value: T): RolledBack<T> {
  return { [ROLLED_BACK]: value };
}

const isRolledBack = <T>(result: T | RolledBack<T>): result is RolledBack<T> =>
  typeof result === "object" && result !== null && ROLLED_BACK in result;

export interface TransactionOptions {
  /** For this transaction only; READ COMMITTED keeps locking reads to record locks (no gap locks). */
  isolation?: "READ COMMITTED";
}

export type TransactionWork<T, C extends Connection = PoolConnection> = (
  conn: C,
) => Promise<T | RolledBack<T>>;

/**
 * The one transaction contract: `work` returns a value and it commits, returns rollBack(value)
 * and it rolls back, throws and it rolls back and rethrows. `work` never commits or rolls back.
 *
 * `work` may start statements together (the driver pipelines them). A deadlock on one of them
 * rolls the whole transaction back, and the server then runs the ones queued behind it on their
 * own, each committed at once. So behind a statement that can wait on a lock, queue only reads,
 * or writes that change nothing once this transaction's earlier rows are gone.
 */
export async function transactionOn<T, C extends Connection>(
  conn: C,
  work: TransactionWork<T, C>,
  options: TransactionOptions = {},
): Promise<T> {
  // The level, then the start, sent together (the driver pipelines them in this order). The one
  // level offered is spelled out so the dialect gate reads the statement as sent.
  const started = Promise.all([
    options.isolation === "READ COMMITTED"
      ? conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
      : undefined,
    conn.beginTransaction(),
  ]);
  try {
    await started;
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  }
  try {
    const result = await work(conn);
    if (isRolledBack(result)) {
      await conn.rollback();
      return result[ROLLED_BACK];
    }
    await conn.commit();
    return result;
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  }
}

/** transactionOn a connection of `pool`, released afterwards. */
export async function inTransaction<T>(
  pool: Pool,
  work: TransactionWork<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const conn = await pool.getConnection();
  try {
    return await transactionOn(conn, work, options);
  } finally {
    await conn.release();
  }
}
