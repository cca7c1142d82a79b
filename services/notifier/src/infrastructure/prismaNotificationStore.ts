import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { NewDelivery, NotificationStore, RecordResult } from "../application/ports";
import type { Notification, OrderSnapshot } from "../domain/notification";
import { olderThan } from "./keysetWhere";
import { Prisma } from "./prisma/generated/client";
import type { NotifierPrisma } from "./prismaClient";

/** Prisma's P2002: the insert hit the unique event_id (the race-safe way to detect a duplicate). */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

type NotificationRow = Prisma.NotificationGetPayload<object>;

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

export class PrismaNotificationStore implements NotificationStore {
  constructor(private readonly prisma: NotifierPrisma) {}

  async record(notification: Notification, deliveries: NewDelivery[]): Promise<RecordResult> {
    const { order, ...columns } = notification;
    try {
      await this.prisma.$transaction([
        this.prisma.notification.create({
          data: { ...columns, payload: order === null ? null : JSON.stringify(order) },
        }),
        this.prisma.notificationDelivery.createMany({
          data: deliveries.map((d) => ({
            ...d,
            notificationId: notification.id,
            status: "PENDING",
            createdAt: notification.createdAt,
          })),
        }),
      ]);
      return { kind: "created", notification };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.prisma.notification.findUniqueOrThrow({
        where: { eventId: notification.eventId },
      });
      return { kind: "duplicate", notification: toNotification(existing) };
    }
  }

  async listForUser(
    userId: string,
    limit: number,
    after: NotificationCursor | null,
  ): Promise<Notification[]> {
    const rows = await this.prisma.notification.findMany({
      where: { userId, ...olderThan(after) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
    });
    return rows.map(toNotification);
  }
}
