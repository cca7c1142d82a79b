import { waitForLockWaits } from "@app/shared/testing";
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
    waitForBlocked: (count = 1) => waitForLockWaits(t.sql, t.db.name, count),
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
