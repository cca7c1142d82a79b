export interface Notification {
  id: string;
  eventId: string;
  userId: string;
  orderId: string;
  type: string;
  message: string;
  createdAt: Date;
  sentAt: Date | null;
}

/** The parts of an order event a notification is made from (the order snapshot in the payload). */
export interface OrderEventFacts {
  eventId: string;
  eventType: string;
  orderId: string;
  userId: string;
  totalAmount?: number;
  currency?: string;
}

export const NOTIFIED_EVENT_TYPES = [
  "ORDER_CREATED",
  "ORDER_CANCELLED",
  "ORDER_COMPLETED",
] as const;

/** Minor units to a display amount; the currencies sold here have two decimals. */
function formatMoney(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

/** The human text of a notification; null for an event type nobody is told about. */
export function messageFor(facts: OrderEventFacts): string | null {
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
