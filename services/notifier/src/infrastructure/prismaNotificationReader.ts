import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { NotificationReader } from "../application/ports";
import type { Notification } from "../domain/notification";
import { olderThan } from "./keysetWhere";
import { toNotification } from "./notificationRow";
import type { NotifierPrisma } from "./prismaClient";

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
