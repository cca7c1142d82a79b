import { randomUUID } from "node:crypto";
import { waitFor, waitForLockWaits } from "@app/shared/testing";
import {
  anOrderEvent,
  mailsOf,
  notificationCount,
  publishTogether,
  startTestNotifier,
  type TestNotifier,
} from "./support";

// A batch's notifications insert loses a deadlock halfway. On MySQL the driver sends a batch as
// one statement per row, pipelined; the notifier here takes that path on MariaDB too.

let t: TestNotifier;

beforeAll(async () => {
  t = await startTestNotifier({}, { driverBulk: false });
});

afterAll(async () => {
  await t?.close();
});

const NOTIFICATION =
  "INSERT INTO notifications (id, event_id, user_id, order_id, type, message, created_at, payload, occurred_at) VALUES (?, ?, ?, ?, 'ORDER_CREATED', 'held', ?, NULL, ?)";
const notificationRow = (eventId: string) => {
  const now = new Date();
  return [randomUUID(), eventId, randomUUID(), randomUUID(), now, now];
};

describe("a batch of events whose notifications insert loses a deadlock on its second row", () => {
  it("keeps none of the batch's rows, and the retry notifies every event once", async () => {
    const orderId = randomUUID();
    // One order: one partition, so the five arrive in this order, in one batch.
    const events = Array.from({ length: 5 }, () => anOrderEvent({ orderId }));
    const other = await t.sql.getConnection();
    try {
      await other.beginTransaction();
      // InnoDB rolls back the transaction that changed less: these rows make this one the winner.
      await other.batch(
        NOTIFICATION,
        Array.from({ length: 500 }, () => notificationRow(randomUUID())),
      );
      // The second event's row, not committed: the batch's insert of it waits here.
      await other.query(NOTIFICATION, notificationRow(events[1]!.eventId));
      await publishTogether(t, events);
      await waitForLockWaits(t.sql, t.db.name);
      // The batch holds the first event's row: asking for it closes the cycle, and InnoDB rolls
      // the batch's transaction back.
      await other.query(NOTIFICATION, notificationRow(events[0]!.eventId));
      await other.rollback();
    } finally {
      await other.release();
    }

    for (const event of events)
      await waitFor(() => mailsOf(t, event.eventId).length > 0, {
        what: `the email for event ${event.eventId}`,
        timeoutMs: 30_000,
      });
    for (const event of events) {
      expect(await notificationCount(t, event.eventId)).toBe(1);
      expect(mailsOf(t, event.eventId)).toHaveLength(1);
    }
  });
});
