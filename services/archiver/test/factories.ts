import { randomUUID } from "node:crypto";
import type { Pool } from "@app/shared";

export interface OrderRow {
  id: string;
  user_id: string;
  status: string;
  total_amount: number;
  currency: string;
  reservation_id: string;
  created_at: Date;
  updated_at: Date;
}

export interface ItemRow {
  id?: number;
  order_id: string;
  product_id: string;
  sku: string;
  name: string;
  unit_price: number;
  quantity: number;
  line_total: number;
}

export interface OrderWithItems {
  order: OrderRow;
  items: ItemRow[];
}

const DAY_MS = 86_400_000;

/** An order last changed `updatedDaysAgo` days ago, with `items` lines of varied prices. */
export function anOrder(
  options: {
    id?: string;
    status?: string;
    updatedDaysAgo?: number;
    items?: number;
    userId?: string;
  } = {},
): OrderWithItems {
  const id = options.id ?? randomUUID();
  const updatedAt = new Date(Date.now() - (options.updatedDaysAgo ?? 45) * DAY_MS - 1234);
  const items: ItemRow[] = Array.from({ length: options.items ?? 2 }, (_, i) => {
    const unitPrice = 100 + Math.floor(Math.random() * 9_000);
    const quantity = 1 + i;
    return {
      order_id: id,
      product_id: randomUUID(),
      sku: `SKU-${id.slice(0, 8)}-${i}`,
      name: `Product ${i} ünïcødé`,
      unit_price: unitPrice,
      quantity,
      line_total: unitPrice * quantity,
    };
  });
  return {
    order: {
      id,
      user_id: options.userId ?? randomUUID(),
      status: options.status ?? "COMPLETED",
      total_amount: items.reduce((sum, item) => sum + item.line_total, 0),
      currency: "EUR",
      reservation_id: randomUUID(),
      created_at: new Date(updatedAt.getTime() - 3_600_000),
      updated_at: updatedAt,
    },
    items,
  };
}

export function manyOrders(
  count: number,
  options: Parameters<typeof anOrder>[0] = {},
): OrderWithItems[] {
  return Array.from({ length: count }, () => anOrder(options));
}

/** Inserts straight into the order service's tables, as if it had placed and finished them. */
export async function insertOrders(pool: Pool, orders: OrderWithItems[]): Promise<void> {
  if (orders.length === 0) return;
  await pool.batch(
    "INSERT INTO orders (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    orders.map(({ order: o }) => [
      o.id,
      o.user_id,
      o.status,
      o.total_amount,
      o.currency,
      o.reservation_id,
      o.created_at,
      o.updated_at,
    ]),
  );
  const items = orders.flatMap((o) => o.items);
  if (items.length === 0) return;
  await pool.batch(
    "INSERT INTO order_items (order_id, product_id, sku, name, unit_price, quantity, line_total) VALUES (?, ?, ?, ?, ?, ?, ?)",
    items.map((i) => [
      i.order_id,
      i.product_id,
      i.sku,
      i.name,
      i.unit_price,
      i.quantity,
      i.line_total,
    ]),
  );
}
