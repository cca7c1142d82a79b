import type { Notification, OrderSnapshot } from "../domain/notification";

/** A stored notification as read back: Prisma's model, or the driver's columns aliased to it. */
export interface NotificationRow {
  id: string;
  eventId: string;
  userId: string;
  orderId: string;
  type: string;
  message: string;
  createdAt: Date;
  payload: string | null;
  occurredAt: Date | null;
}

export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    eventId: row.eventId,
    userId: row.userId,
    orderId: row.orderId,
    type: row.type,
    message: row.message,
    createdAt: row.createdAt,
    order: row.payload === null ? null : (JSON.parse(row.payload) as OrderSnapshot),
    occurredAt: row.occurredAt,
  };
}
