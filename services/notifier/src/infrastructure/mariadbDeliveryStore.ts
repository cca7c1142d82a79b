import { inTransaction, type Pool } from "@app/shared";
import type { ClaimedDelivery, DeliveryStore } from "../application/ports";
import {
  DELIVERY_CHANNELS,
  type Delivery,
  type DeliveryChannel,
  type DeliveryStatus,
} from "../domain/delivery";
import { toNotification, type NotificationRow } from "./notificationRow";

// The delivery worker's claims and settles on the driver pool: one settle per sent delivery, so
// one per notification under load, where a Prisma query cost four times the same statement on
// the driver (CPU).

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

// The claimed rows with their notifications, aliased to the models' names (one mapper each).
const CLAIMED_SQL = `SELECT d.id, d.notification_id AS notificationId, d.channel, d.target,
    d.status, d.attempts, d.next_attempt_at AS nextAttemptAt, d.last_error AS lastError,
    d.created_at AS createdAt, d.sent_at AS sentAt,
    n.event_id AS eventId, n.user_id AS userId, n.order_id AS orderId, n.type, n.message,
    n.created_at AS notificationCreatedAt, n.payload, n.occurred_at AS occurredAt
  FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
  WHERE d.id IN (?)`;

// The settles of one claim, each ending in the claim's id and attempts count.
const MARK_SENT = `UPDATE notification_deliveries SET status = 'SENT', sent_at = ?, last_error = NULL
  WHERE id = ? AND status = 'PENDING' AND attempts = ?`;
const RESCHEDULE = `UPDATE notification_deliveries SET next_attempt_at = ?, last_error = ?
  WHERE id = ? AND status = 'PENDING' AND attempts = ?`;
const MARK_FAILED = `UPDATE notification_deliveries SET status = 'FAILED', last_error = ?
  WHERE id = ? AND status = 'PENDING' AND attempts = ?`;

type ClaimedRow = Delivery &
  Omit<NotificationRow, "id" | "createdAt"> & { notificationCreatedAt: Date };

function toClaimed(row: ClaimedRow): ClaimedDelivery {
  return {
    id: row.id,
    notificationId: row.notificationId,
    channel: row.channel as DeliveryChannel,
    target: row.target,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    notification: toNotification({
      id: row.notificationId,
      eventId: row.eventId,
      userId: row.userId,
      orderId: row.orderId,
      type: row.type,
      message: row.message,
      createdAt: row.notificationCreatedAt,
      payload: row.payload,
      occurredAt: row.occurredAt,
    }),
  };
}

export class MariaDbDeliveryStore implements DeliveryStore {
  constructor(private readonly pool: Pool) {}

  async claimDue(
    channel: DeliveryChannel,
    now: Date,
    limit: number,
    leaseUntil: Date,
  ): Promise<ClaimedDelivery[]> {
    const due: unknown[] = await this.pool.query(ANY_DUE_SQL, [channel, now]);
    if (!due.length) return [];
    const ids = await inTransaction(
      this.pool,
      async (conn) => {
        const rows: { id: string }[] = await conn.query(CLAIM_SQL, [channel, now, limit]);
        const claimed = rows.map((r) => r.id);
        // The claim is the lease: next_attempt_at moves past it, so a worker that dies mid-send
        // leaves the row due again once the lease is over.
        if (claimed.length)
          await conn.query(
            "UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = ? WHERE id IN (?)",
            [leaseUntil, claimed],
          );
        return claimed;
      },
      { isolation: "READ COMMITTED" },
    );
    if (!ids.length) return [];
    const rows: ClaimedRow[] = await this.pool.query(CLAIMED_SQL, [ids]);
    return rows.map(toClaimed);
  }

  // Each settle names the claim (its attempts count): a worker whose lease ran out and whose row
  // another worker claimed since changes nothing.
  private async settle(sql: string, claim: Delivery, values: unknown[]): Promise<void> {
    await this.pool.query(sql, [...values, claim.id, claim.attempts]);
  }

  markSent(claim: Delivery, at: Date): Promise<void> {
    return this.settle(MARK_SENT, claim, [at]);
  }

  reschedule(claim: Delivery, at: Date, error: string): Promise<void> {
    return this.settle(RESCHEDULE, claim, [at, error.slice(0, 1000)]);
  }

  markFailed(claim: Delivery, error: string): Promise<void> {
    return this.settle(MARK_FAILED, claim, [error.slice(0, 1000)]);
  }

  async oldestPendingAgeSeconds(now: Date): Promise<Record<DeliveryChannel, number>> {
    const oldest: { channel: string; created: Date | null }[] = await this.pool.query(
      "SELECT channel, MIN(created_at) AS created FROM notification_deliveries WHERE status = 'PENDING' GROUP BY channel",
    );
    const ages = Object.fromEntries(DELIVERY_CHANNELS.map((c) => [c, 0])) as Record<
      DeliveryChannel,
      number
    >;
    for (const row of oldest) {
      if (row.created && row.channel in ages)
        ages[row.channel as DeliveryChannel] = Math.max(
          0,
          (now.getTime() - row.created.getTime()) / 1000,
        );
    }
    return ages;
  }
}
