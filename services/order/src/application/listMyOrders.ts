import type { KeysetCursor as OrderCursor } from "@app/shared";
import type { OrderPage, OrderReader } from "./ports";

/** The caller's orders, newest first, live and archived alike. */
export function listMyOrders(
  deps: { reader: OrderReader },
  userId: string,
  limit: number,
  after: OrderCursor | null,
): Promise<OrderPage> {
  return deps.reader.listByUser(userId, limit, after);
}
