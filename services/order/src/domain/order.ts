// The order aggregate: its shape, its prices and the status changes it allows.

export type OrderStatus = "CREATED" | "COMPLETED" | "CANCELLED";

export interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderLine[];
  totalAmount: number;
  currency: string;
  reservationId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A line as the catalog reserved it: the price is the catalog's at reservation time. */
export interface ReservedLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  currency: string;
}

export type Pricing =
  | { kind: "priced"; items: OrderLine[]; totalAmount: number; currency: string }
  | { kind: "mixed_currency"; currencies: string[] };

/** Snapshots the reserved prices into order lines; one order is paid in one currency. */
export function priceOrder(reserved: ReservedLine[]): Pricing {
  const currencies = [...new Set(reserved.map((line) => line.currency))];
  if (currencies.length !== 1) return { kind: "mixed_currency", currencies };
  const items = reserved.map((line) => ({
    productId: line.productId,
    sku: line.sku,
    name: line.name,
    unitPrice: line.unitPrice,
    quantity: line.quantity,
    lineTotal: line.unitPrice * line.quantity,
  }));
  return {
    kind: "priced",
    items,
    totalAmount: items.reduce((sum, line) => sum + line.lineTotal, 0),
    currency: currencies[0]!,
  };
}

/** Who acts on an order: the owner or an administrator may; anyone else must not learn it exists. */
export interface Actor {
  userId: string;
  isAdmin: boolean;
}

export function canSee(order: Pick<Order, "userId">, actor: Actor): boolean {
  return actor.isAdmin || order.userId === actor.userId;
}

export type StatusDecision =
  | { kind: "change"; to: OrderStatus; eventType: "ORDER_CANCELLED" | "ORDER_COMPLETED" }
  | { kind: "unchanged" }
  | { kind: "refused"; from: OrderStatus };

/** CREATED -> CANCELLED; cancelling twice changes nothing; a completed order stays completed. */
export function decideCancel(status: OrderStatus): StatusDecision {
  if (status === "CREATED")
    return { kind: "change", to: "CANCELLED", eventType: "ORDER_CANCELLED" };
  if (status === "CANCELLED") return { kind: "unchanged" };
  return { kind: "refused", from: status };
}

/** CREATED -> COMPLETED; completing twice changes nothing; a cancelled order cannot complete. */
export function decideComplete(status: OrderStatus): StatusDecision {
  if (status === "CREATED")
    return { kind: "change", to: "COMPLETED", eventType: "ORDER_COMPLETED" };
  if (status === "COMPLETED") return { kind: "unchanged" };
  return { kind: "refused", from: status };
}

/** The contract's Order, also the payload of every order event (with the reservation id). */
export function orderView(order: Order) {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    items: order.items.map((line) => ({
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      lineTotal: line.lineTotal,
    })),
    totalAmount: order.totalAmount,
    currency: order.currency,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export type OrderView = ReturnType<typeof orderView>;

export function eventPayload(order: Order): OrderView & { reservationId: string } {
  return { ...orderView(order), reservationId: order.reservationId };
}
