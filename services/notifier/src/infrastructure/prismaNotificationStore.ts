import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { NewNotification, NotificationStore, RecordResult } from "../application/ports";
import type { Notification, OrderSnapshot } from "../domain/notification";
import { olderThan } from "./keysetWhere";
import type { Prisma } from "./prisma/generated/client";
import type { NotifierPrisma } from "./prismaClient";

// The batch's notifications in one statement; an event notified already keeps its row (the
// unique event_id), and a no-op update rather than INSERT IGNORE, which would also turn real
// errors (a value too long) into warnings.
const NOTIFICATION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
const insertNotifications = (rows: number) =>
  `INSERT INTO notifications (id, event_id, user_id, order_id, type, message, created_at, payload, occurred_at) VALUES ${NOTIFICATION_ROW}${`, ${NOTIFICATION_ROW}`.repeat(rows - 1)} ON DUPLICATE KEY UPDATE event_id = event_id`;

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

  async recordAll(entries: NewNotification[]): Promise<RecordResult[]> {
    if (!entries.length) return [];
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(
          insertNotifications(entries.length),
          ...entries.flatMap(({ notification: { order, ...n } }) => [
            n.id,
            n.eventId,
            n.userId,
            n.orderId,
            n.type,
            n.message,
            n.createdAt,
            order === null ? null : JSON.stringify(order),
            n.occurredAt,
          ]),
        );
        // Ours where the id is the one we chose; anything else was there first. Only ids are
        // read back: a whole row (its order snapshot) is needed just for the rare duplicate.
        const storedIds = new Map(
          (
            await tx.notification.findMany({
              where: { eventId: { in: entries.map((e) => e.notification.eventId) } },
              select: { id: true, eventId: true },
            })
          ).map((row) => [row.eventId, row.id]),
        );
        const firsts = entries
          .filter(({ notification }) => storedIds.get(notification.eventId) !== notification.id)
          .map(({ notification }) => storedIds.get(notification.eventId)!);
        const earlier = new Map(
          firsts.length
            ? (await tx.notification.findMany({ where: { id: { in: firsts } } })).map((row) => [
                row.eventId,
                row,
              ])
            : [],
        );
        const results = entries.map(({ notification }): RecordResult => {
          const row = earlier.get(notification.eventId);
          return row
            ? { kind: "duplicate", notification: toNotification(row) }
            : { kind: "created", notification };
        });
        const deliveries = entries.flatMap(({ notification, deliveries }, i) =>
          results[i]!.kind === "created"
            ? deliveries.map((d) => ({
                ...d,
                notificationId: notification.id,
                status: "PENDING",
                createdAt: notification.createdAt,
              }))
            : [],
        );
        if (deliveries.length) await tx.notificationDelivery.createMany({ data: deliveries });
        return results;
      },
      // A batch may wait for a pooled connection behind the delivery workers.
      { maxWait: 10_000, timeout: 30_000 },
    );
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
