import { randomUUID } from "node:crypto";
import { createOrderEvent, type OrderEventType } from "../orderEvents";

/**
 * A valid order event as the order service writes it (payload = the order snapshot plus its
 * reservationId). `payload` replaces the snapshot; `extra` is merged into it.
 */
export function anOrderEvent(
  options: {
    orderId?: string;
    userId?: string;
    eventType?: OrderEventType;
    payload?: Record<string, unknown>;
    extra?: Record<string, unknown>;
  } = {},
) {
  const orderId = options.orderId ?? randomUUID();
  const now = new Date().toISOString();
  const snapshot = options.payload ?? {
    id: orderId,
    userId: options.userId ?? randomUUID(),
    status: "CREATED",
    items: [
      {
        productId: randomUUID(),
        sku: "SKU-1",
        name: "Blue mug",
        unitPrice: 1999,
        quantity: 1,
        lineTotal: 1999,
      },
    ],
    totalAmount: 1999,
    currency: "EUR",
    createdAt: now,
    updatedAt: now,
    reservationId: randomUUID(),
  };
  return createOrderEvent(options.eventType ?? "ORDER_CREATED", orderId, {
    ...snapshot,
    ...options.extra,
  });
}
