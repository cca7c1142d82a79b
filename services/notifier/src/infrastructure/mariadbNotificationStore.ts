import { inTransaction, type Pool, type PoolConnection } from "@app/shared";
import type { NewNotification, NotificationStore, RecordResult } from "../application/ports";
import type { Notification } from "../domain/notification";
import { toNotification, type NotificationRow } from "./notificationRow";

// The consumer's write path on the driver pool: a fetched batch is a few statements with hundreds
// of rows each, where Prisma's per-value mapping cost more than the statements themselves.

// The batch's notifications as multi-row inserts on the binary protocol (the order snapshots go
// as they are, where the text protocol escaped them character by character, the consumer's
// largest CPU cost); an event notified already keeps its row (the unique event_id), and a no-op
// update rather than INSERT IGNORE, which would also turn real errors (a value too long) into
// warnings. Not the driver's batch: on MySQL it sends one statement per row, pipelined, and after
// a deadlock on one row the server would run the rows queued behind it on their own, committed
// (notifications with no deliveries, which the retry would take for earlier ones). Each
// statement is awaited before the next; at most ROWS_PER_INSERT rows each keeps the prepared
// statements the driver caches per connection few.
const NOTIFICATION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
const DELIVERY_ROW = "(?, ?, ?, ?, 'PENDING', 0, ?, ?)";
const ROWS_PER_INSERT = 100;

async function insertNotifications(conn: PoolConnection, entries: NewNotification[]) {
  for (let from = 0; from < entries.length; from += ROWS_PER_INSERT) {
    const chunk = entries.slice(from, from + ROWS_PER_INSERT);
    await conn.execute(
      `INSERT INTO notifications (id, event_id, user_id, order_id, type, message, created_at, payload, occurred_at)
       VALUES ${NOTIFICATION_ROW}${`, ${NOTIFICATION_ROW}`.repeat(chunk.length - 1)} ON DUPLICATE KEY UPDATE event_id = event_id`,
      chunk.flatMap(({ notification: { order, ...n } }) => [
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
  }
}

/** Every notification the batch's events have, ours or earlier: event id -> row id. */
async function storedIds(conn: PoolConnection, eventIds: string[]): Promise<Map<string, string>> {
  const found: { id: string; event_id: string }[] = await conn.query(
    "SELECT id, event_id FROM notifications WHERE event_id IN (?)",
    [eventIds],
  );
  return new Map(found.map((row) => [row.event_id, row.id]));
}

async function notificationsById(conn: PoolConnection, ids: string[]) {
  if (!ids.length) return [];
  // Aliased to the model's names, so one mapper reads rows from here and from Prisma.
  const found: NotificationRow[] = await conn.query(
    `SELECT id, event_id AS eventId, user_id AS userId, order_id AS orderId, type, message,
       created_at AS createdAt, payload, occurred_at AS occurredAt
     FROM notifications WHERE id IN (?)`,
    [ids],
  );
  return found.map(toNotification);
}

export class MariaDbNotificationStore implements NotificationStore {
  constructor(private readonly pool: Pool) {}

  recordAll(entries: NewNotification[]): Promise<RecordResult[]> {
    if (!entries.length) return Promise.resolve([]);
    return inTransaction(this.pool, async (conn) => {
      await insertNotifications(conn, entries);
      // Ours where the stored id is the one we chose; anything else was there first (stored
      // before, or earlier in this batch). Only ids are read back: a whole row (its order
      // snapshot) is needed just for the rare duplicate.
      const stored = await storedIds(
        conn,
        entries.map((e) => e.notification.eventId),
      );
      const storedId = (n: Notification) => stored.get(n.eventId)!;
      const firsts = entries
        .map(({ notification }) => notification)
        .filter((n) => storedId(n) !== n.id)
        .map(storedId);
      const earlier = new Map((await notificationsById(conn, firsts)).map((n) => [n.id, n]));
      const results = entries.map(({ notification }): RecordResult =>
        storedId(notification) === notification.id
          ? { kind: "created", notification }
          : { kind: "duplicate", notification: earlier.get(storedId(notification))! },
      );
      const deliveries = entries.flatMap(({ notification, deliveries }, i) =>
        results[i]!.kind === "created"
          ? deliveries.map((d) => [
              d.id,
              notification.id,
              d.channel,
              d.target,
              d.nextAttemptAt,
              notification.createdAt,
            ])
          : [],
      );
      if (deliveries.length)
        await conn.query(
          `INSERT INTO notification_deliveries (id, notification_id, channel, target, status, attempts, next_attempt_at, created_at)
           VALUES ${DELIVERY_ROW}${`, ${DELIVERY_ROW}`.repeat(deliveries.length - 1)}`,
          deliveries.flat(),
        );
      return results;
    });
  }
}
