import type { ClaimedDelivery, DeliveryStore } from "../application/ports";
import {
  DELIVERY_CHANNELS,
  type Delivery,
  type DeliveryChannel,
  type DeliveryStatus,
} from "../domain/delivery";
import { Prisma } from "./prisma/generated/client";
import type { NotifierPrisma } from "./prismaClient";
import { toNotification } from "./notificationRow";

// Due PENDING deliveries of one channel, earliest first, not held by another worker.
// - SKIP LOCKED: replicas claim disjoint rows without waiting on each other.
// - The (status, channel, next_attempt_at) index hands rows over in order, so LIMIT stops the
//   scan instead of locking every due row.
// - READ COMMITTED (set on the transaction) keeps this to record locks: no gap locks that would
//   stall the consumer's inserts of new deliveries.
const CLAIM_SQL = `SELECT id FROM notification_deliveries
  WHERE status = 'PENDING' AND channel = ? AND next_attempt_at <= ?
  ORDER BY next_attempt_at
  LIMIT ?
  FOR UPDATE SKIP LOCKED`;

// Whether any delivery of the channel is due, in one plain indexed read: an idle poll (the usual
// case between orders) costs this one round trip instead of a claim transaction.
const ANY_DUE_SQL = `SELECT 1 FROM notification_deliveries
  WHERE status = 'PENDING' AND channel = ? AND next_attempt_at <= ?
  LIMIT 1`;

type DeliveryRow = Prisma.NotificationDeliveryGetPayload<object>;

function toDelivery(row: DeliveryRow): Delivery {
  return {
    ...row,
    channel: row.channel as DeliveryChannel,
    status: row.status as DeliveryStatus,
  };
}

export class PrismaDeliveryStore implements DeliveryStore {
  constructor(private readonly prisma: NotifierPrisma) {}

  async claimDue(
    channel: DeliveryChannel,
    now: Date,
    limit: number,
    leaseUntil: Date,
  ): Promise<ClaimedDelivery[]> {
    const due = await this.prisma.$queryRawUnsafe<unknown[]>(ANY_DUE_SQL, channel, now);
    if (!due.length) return [];
    const ids = await this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ id: string }[]>(CLAIM_SQL, channel, now, limit);
        const claimed = rows.map((r) => r.id);
        // The claim is the lease: next_attempt_at moves past it, so a worker that dies mid-send
        // leaves the row due again once the lease is over.
        if (claimed.length)
          await tx.notificationDelivery.updateMany({
            where: { id: { in: claimed } },
            data: { attempts: { increment: 1 }, nextAttemptAt: leaseUntil },
          });
        return claimed;
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.ReadCommitted },
    );
    if (!ids.length) return [];
    const rows = await this.prisma.notificationDelivery.findMany({
      where: { id: { in: ids } },
      include: { notification: true },
    });
    return rows.map(({ notification, ...row }) => ({
      ...toDelivery(row),
      notification: toNotification(notification),
    }));
  }

  // Each settle names the claim (its attempts count): a worker whose lease ran out and whose row
  // another worker claimed since changes nothing.
  private async settle(claim: Delivery, data: Prisma.NotificationDeliveryUpdateManyMutationInput) {
    await this.prisma.notificationDelivery.updateMany({
      where: { id: claim.id, status: "PENDING", attempts: claim.attempts },
      data,
    });
  }

  markSent(claim: Delivery, at: Date): Promise<void> {
    return this.settle(claim, { status: "SENT", sentAt: at, lastError: null });
  }

  reschedule(claim: Delivery, at: Date, error: string): Promise<void> {
    return this.settle(claim, { nextAttemptAt: at, lastError: error.slice(0, 1000) });
  }

  markFailed(claim: Delivery, error: string): Promise<void> {
    return this.settle(claim, { status: "FAILED", lastError: error.slice(0, 1000) });
  }

  async oldestPendingAgeSeconds(now: Date): Promise<Record<DeliveryChannel, number>> {
    const oldest = await this.prisma.notificationDelivery.groupBy({
      by: ["channel"],
      where: { status: "PENDING" },
      _min: { createdAt: true },
    });
    const ages = Object.fromEntries(DELIVERY_CHANNELS.map((c) => [c, 0])) as Record<
      DeliveryChannel,
      number
    >;
    for (const row of oldest) {
      const created = row._min.createdAt;
      if (created && row.channel in ages)
        ages[row.channel as DeliveryChannel] = Math.max(
          0,
          (now.getTime() - created.getTime()) / 1000,
        );
    }
    return ages;
  }
}
