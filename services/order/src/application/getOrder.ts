import { canSee, type Actor, type Order } from "../domain/order";
import type { OrderReader } from "./ports";

export type GetOrderResult = { kind: "found"; order: Order } | { kind: "not_found" };

/** The owner or an admin sees the order (live or archived); anyone else learns nothing. */
export async function getOrder(
  deps: { reader: OrderReader },
  orderId: string,
  actor: Actor,
): Promise<GetOrderResult> {
  const order = await deps.reader.findById(orderId);
  return order && canSee(order, actor) ? { kind: "found", order } : { kind: "not_found" };
}
