import type { PoolConnection } from "@app/shared";
import type { Order, OrderLine, OrderStatus } from "../domain/order";

export interface OrderRow {
  id: string;
  user_id: string;
  status: string;
  total_amount: number | bigint;
  currency: string;
  reservation_id: string;
  created_at: Date;
  updated_at: Date;
}

export interface ItemRow {
  order_id: string;
  product_id: string;
  sku: string;
  name: string;
  unit_price: number | bigint;
  quantity: number;
  line_total: number | bigint;
}

export const ORDER_COLUMNS =
  "id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at";
export const ITEM_COLUMNS = "order_id, product_id, sku, name, unit_price, quantity, line_total";

export function toLine(row: ItemRow): OrderLine {
  return {
    productId: row.product_id,
    sku: row.sku,
    name: row.name,
    unitPrice: Number(row.unit_price),
    quantity: Number(row.quantity),
    lineTotal: Number(row.line_total),
  };
}

export function toOrder(row: OrderRow, items: ItemRow[]): Order {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status as OrderStatus,
    items: items.map(toLine),
    totalAmount: Number(row.total_amount),
    currency: row.currency,
    reservationId: row.reservation_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Reads one live order with its items; `forUpdate` locks the order row for a status change. */
export async function loadOrder(
  conn: PoolConnection,
  where: { id: string } | { reservationId: string },
  forUpdate = false,
): Promise<Order | null> {
  const [column, value] =
    "id" in where ? ["id", where.id] : ["reservation_id", where.reservationId];
  const rows: OrderRow[] = await conn.query(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${column} = ?${forUpdate ? " FOR UPDATE" : ""}`,
    [value],
  );
  const row = rows[0];
  if (!row) return null;
  const items: ItemRow[] = await conn.query(
    `SELECT ${ITEM_COLUMNS} FROM order_items WHERE order_id = ? ORDER BY id`,
    [row.id],
  );
  return toOrder(row, items);
}
