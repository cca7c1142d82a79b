import { inTransaction, type Pool } from "@app/shared";
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
    const { updated, row } = await inTransaction(this.pool, async (conn) => {
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
      return { updated: result.affectedRows > 0, row: rows[0] };
    });
    if (!row) return { kind: "not_found" };
    if (!updated) return { kind: "version_conflict", currentVersion: row.version };
    return {
      kind: "updated",
      stock: { productId, availableQuantity: row.quantity, stockVersion: row.version },
    };
  }
}
