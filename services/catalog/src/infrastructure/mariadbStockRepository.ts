import type { Pool } from "@app/shared";
import type { SetStockResult, StockRepository } from "../application/ports";
import { setIfVersionIn } from "./stockStatements";

interface StockRow {
  quantity: number;
  version: number;
}

export class MariaDbStockRepository implements StockRepository {
  constructor(private readonly pool: Pool) {}

  async setQuantity(
    productId: string,
    quantity: number,
    acceptedVersions: number[],
    now: Date,
  ): Promise<SetStockResult> {
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const result: { affectedRows: number } = acceptedVersions.length
        ? await conn.query(setIfVersionIn(acceptedVersions.length), [
            quantity,
            now,
            productId,
            ...acceptedVersions,
          ])
        : { affectedRows: 0 };
      const rows: StockRow[] = await conn.query(
        "SELECT quantity, version FROM stocks WHERE product_id = ?",
        [productId],
      );
      await conn.commit();
      const row = rows[0];
      if (!row) return { kind: "not_found" };
      if (result.affectedRows === 0)
        return { kind: "version_conflict", currentVersion: row.version };
      return {
        kind: "updated",
        stock: { productId, availableQuantity: row.quantity, stockVersion: row.version },
      };
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      await conn.release();
    }
  }
}
