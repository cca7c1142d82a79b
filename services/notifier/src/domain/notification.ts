import { formatMoney } from "./money";

/** One order line as the event's order snapshot carries it. */
export interface OrderLine {
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

/** The event's order snapshot: what templates and webhook bodies are made from. */
export interface OrderSnapshot extends Record<string, unknown> {
  items?: OrderLine[];
  totalAmount?: number;
  currency?: string;
}

export interface Notification {
  id: string;
  eventId: string;
  userId: string;
  orderId: string;
  type: string;
  message: string;
  createdAt: Date;
  /** The event's order snapshot; null on rows written before deliveries existed. */
  order: OrderSnapshot | null;
  occurredAt: Date | null;
}

/** The parts of an order event a notification is made from (the order snapshot in the payload). */
export interface OrderEventFacts {
  eventId: string;
  eventType: string;
  orderId: string;
  userId: string;
  occurredAt: Date;
  order: OrderSnapshot;
  totalAmount?: number;
  currency?: string;
}

export const NOTIFIED_EVENT_TYPES = [
  "ORDER_CREATED",
  "ORDER_CANCELLED",
  "ORDER_COMPLETED",
] as const;

/** The human text of a notification; null for an event type nobody is told about. */
export function messageFor(facts: Omit<OrderEventFacts, "occurredAt" | "order">): string | null {
  const ref = facts.orderId.slice(0, 8);
  const total =
    facts.totalAmount !== undefined && facts.currency
      ? ` (total ${formatMoney(facts.totalAmount, facts.currency)})`
      : "";
  switch (facts.eventType) {
    case "ORDER_CREATED":
      return `Your order ${ref} was placed${total}.`;
    case "ORDER_CANCELLED":
      return `Your order ${ref} was cancelled.`;
    case "ORDER_COMPLETED":
      return `Your order ${ref} was completed.`;
    default:
      return null;
  }
}
