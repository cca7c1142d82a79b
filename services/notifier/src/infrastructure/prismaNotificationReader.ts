import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { NotificationReader } from "../application/ports";
import type { Notification, OrderSnapshot } from "../domain/notification";
import { olderThan } from "./keysetWhere";
import type { Prisma } from "./prisma/generated/client";
import type { NotifierPrisma } from "./prismaClient";

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

/** The notifications API's reads (the consumer writes through MariaDbNotificationStore). */
export class PrismaNotificationReader implements NotificationReader {
  constructor(private readonly prisma: NotifierPrisma) {}

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
