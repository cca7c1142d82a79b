import type { Pool } from "../database";
import { waitFor } from "./waitFor";

/**
 * Resolves once at least `count` transactions on `database` wait for a row lock: the moment a
 * test that holds a lock on purpose knows the statement it meant to block is blocked.
 */
export async function waitForLockWaits(sql: Pool, database: string, count = 1): Promise<void> {
  await waitFor(
    async () => {
      const rows: { n: number | bigint }[] = await sql.query(
        `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX trx
           JOIN information_schema.PROCESSLIST p ON p.ID = trx.trx_mysql_thread_id
          WHERE trx.trx_state = 'LOCK WAIT' AND p.DB = ?`,
        [database],
      );
      return Number(rows[0]!.n) >= count;
    },
    // INNODB_TRX is a cache InnoDB refreshes only after 0.1 s without readers: poll slower.
    { timeoutMs: 10_000, intervalMs: 200, what: `${count} transaction(s) waiting on a row lock` },
  );
}
