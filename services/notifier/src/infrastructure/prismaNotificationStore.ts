import type { NotificationStore, RecordResult } from "../application/ports";
import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { Notification } from "../domain/notification";
import { Prisma } from "./prisma/generated/client";
import type { NotifierPrisma } from "./prismaClient";

/** Prisma's P2002: the insert hit the unique event_id (the race-safe way to detect a duplicate). */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

export class PrismaNotificationStore implements NotificationStore {
  constructor(private readonly prisma: NotifierPrisma) {}

  async record(notification: Notification): Promise<RecordResult> {
    try {
      return {
        kind: "created",
        notification: await this.prisma.notification.create({ data: notification }),
      };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.prisma.notification.findUniqueOrThrow({
        where: { eventId: notification.eventId },
      });
      return { kind: "duplicate", notification: existing };
    }
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.prisma.notification.updateMany({
      where: { id, sentAt: null },
      data: { sentAt: at },
    });
  }

  listForUser(
    userId: string,
    limit: number,
    after: NotificationCursor | null,
  ): Promise<Notification[]> {
    // Keyset: strictly older than the cursor, ties on created_at broken by id.
    const where = after
      ? {
          userId,
          OR: [
            { createdAt: { lt: after.createdAt } },
            { createdAt: after.createdAt, id: { lt: after.id } },
          ],
        }
      : { userId };
    return this.prisma.notification.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
    });
  }
}
