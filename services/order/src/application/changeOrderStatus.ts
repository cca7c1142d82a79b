import {
  canSee,
  decideCancel,
  decideComplete,
  type Actor,
  type Order,
  type OrderStatus,
  type StatusDecision,
} from "../domain/order";
import type { Clock, OrderReader, OrderStore } from "./ports";

export type StatusChangeResult =
  | { kind: "changed"; order: Order }
  | { kind: "unchanged"; order: Order }
  | { kind: "refused"; from: OrderStatus }
  | { kind: "not_found" };

export interface StatusChangeDeps {
  orders: OrderStore;
  reader: OrderReader;
  clock: Clock;
}

/** Cancel (owner or admin): the ORDER_CANCELLED event is what gives the stock back, exactly once. */
export function cancelOrder(
  deps: StatusChangeDeps,
  orderId: string,
  actor: Actor,
  requestId: string | null,
): Promise<StatusChangeResult> {
  return changeStatus(deps, orderId, actor, decideCancel, requestId);
}

/** Complete (admins only, checked by the api layer). */
export function completeOrder(
  deps: StatusChangeDeps,
  orderId: string,
  actor: Actor,
  requestId: string | null,
): Promise<StatusChangeResult> {
  return changeStatus(deps, orderId, actor, decideComplete, requestId);
}

async function changeStatus(
  deps: StatusChangeDeps,
  orderId: string,
  actor: Actor,
  rule: (status: OrderStatus) => StatusDecision,
  requestId: string | null,
): Promise<StatusChangeResult> {
  const result = await deps.orders.changeStatus(
    orderId,
    (order) => (canSee(order, actor) ? rule(order.status) : { kind: "hidden" }),
    {
      requestId,
      now: deps.clock.now(),
    },
  );
  if (result.kind === "missing") return fromArchive(deps, orderId, actor, rule);
  const decision = result.decision;
  if (decision.kind === "hidden") return { kind: "not_found" };
  if (decision.kind === "refused") return { kind: "refused", from: decision.from };
  return { kind: decision.kind === "change" ? "changed" : "unchanged", order: result.order };
}

/** Archived orders are final (COMPLETED or CANCELLED): the same rule answers, nothing changes. */
async function fromArchive(
  deps: StatusChangeDeps,
  orderId: string,
  actor: Actor,
  rule: (status: OrderStatus) => StatusDecision,
): Promise<StatusChangeResult> {
  const archived = await deps.reader.findById(orderId);
  if (!archived || !canSee(archived, actor)) return { kind: "not_found" };
  const decision = rule(archived.status);
  if (decision.kind === "unchanged") return { kind: "unchanged", order: archived };
  return { kind: "refused", from: archived.status };
}
