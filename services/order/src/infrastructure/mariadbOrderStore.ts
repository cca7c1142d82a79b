import { inTransaction, type Pool } from "@app/shared";
import type { OrderStore } from "../application/ports";
import type { Order, StatusDecision } from "../domain/order";
import { insertOutbox } from "./orderWrites";
import { loadOrder } from "./orderRows";

/** Status changes of existing orders; placing an order is MariaDbPlacementStore's. */
export class MariaDbOrderStore implements OrderStore {
  constructor(private readonly pool: Pool) {}

  changeStatus(
    orderId: string,
    decide: (order: Order) => StatusDecision | { kind: "hidden" },
    context: { requestId: string | null; now: Date },
  ) {
    return inTransaction(this.pool, async (conn) => {
      // FOR UPDATE: two cancels at once produce one status change and one event.
      const order = await loadOrder(conn, { id: orderId }, true);
      if (!order) return { kind: "missing" as const };
      const decision = decide(order);
      if (decision.kind !== "change") return { kind: "decided" as const, decision, order };
      const changed: Order = { ...order, status: decision.to, updatedAt: context.now };
      await conn.query("UPDATE orders SET status = ?, updated_at = ? WHERE id = ?", [
        changed.status,
        changed.updatedAt,
        order.id,
      ]);
      await insertOutbox(conn, decision.eventType, changed, context.requestId, context.now);
      return { kind: "decided" as const, decision, order: changed };
    });
  }
}
