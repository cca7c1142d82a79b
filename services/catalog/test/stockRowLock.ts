import { waitFor } from "@app/shared/testing";
import type { TestCatalog } from "./support";

export interface HeldStockRow {
  /** Resolves once at least `count` transactions of this database wait for a row lock. */
  waitForBlocked(count?: number): Promise<void>;
  /** Moves the version on, as any committed stock change does, and lets the waiters go. */
  bumpVersionAndCommit(): Promise<void>;
}

/**
 * Another writer holding a product's stock row: a reservation that has read the version blocks
 * on its version-checked UPDATE, and once this writer commits a new version that UPDATE matches
 * no row. A real optimistic-lock conflict, at a moment the test chooses.
 */
export async function holdStockRow(t: TestCatalog, productId: string): Promise<HeldStockRow> {
  const conn = await t.sql.getConnection();
  await conn.beginTransaction();
  await conn.query("SELECT version FROM stocks WHERE product_id = ? FOR UPDATE", [productId]);
  return {
    async waitForBlocked(count = 1) {
      await waitFor(
        async () => {
          const rows: { n: number | bigint }[] = await t.sql.query(
            `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX trx
               JOIN information_schema.PROCESSLIST p ON p.ID = trx.trx_mysql_thread_id
              WHERE trx.trx_state = 'LOCK WAIT' AND p.DB = ?`,
            [t.db.name],
          );
          return Number(rows[0]!.n) >= count;
        },
        // INNODB_TRX is a cache InnoDB refreshes only after 0.1 s without readers: poll slower.
        {
          timeoutMs: 10_000,
          intervalMs: 200,
          what: `${count} reservation(s) waiting on the stock row`,
        },
      );
    },
    async bumpVersionAndCommit() {
      try {
        await conn.query("UPDATE stocks SET version = version + 1 WHERE product_id = ?", [
          productId,
        ]);
        await conn.commit();
      } finally {
        await conn.release();
      }
    },
  };
}
