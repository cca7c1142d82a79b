import {
  createOrderEvent,
  currentTraceparent,
  type OrderEventType,
  type Pool,
  type PoolConnection,
} from "@app/shared";
import type {
  CommitOutcome,
  ExpiredPlacement,
  KeyRef,
  OrderStore,
  PlacementCommit,
  RecoveryClaim,
  ReservationState,
} from "../application/ports";
import type { StoredResponse } from "../domain/idempotency";
import { eventPayload, type Order, type StatusDecision } from "../domain/order";
import { loadOrder } from "./orderRows";
import { inTransaction } from "./transaction";

async function insertOutbox(
  conn: PoolConnection,
  eventType: OrderEventType,
  order: Order,
  requestId: string | null,
  now: Date,
): Promise<void> {
  // The relay rebuilds the envelope from these columns: payload = the envelope's payload,
  // created_at = occurredAt; it publishes in the trace traceparent names.
  const envelope = createOrderEvent(eventType, order.id, eventPayload(order), now);
  await conn.query(
    `INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, request_id, traceparent, status, available_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'READY', ?, ?)`,
    [
      envelope.eventId,
      envelope.aggregateType,
      envelope.aggregateId,
      envelope.eventType,
      JSON.stringify(envelope.payload),
      requestId,
      currentTraceparent() ?? null,
      now,
      now,
    ],
  );
}

async function insertOrder(conn: PoolConnection, order: Order): Promise<void> {
  await conn.query(
    `INSERT INTO orders (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      order.id,
      order.userId,
      order.status,
      order.totalAmount,
      order.currency,
      order.reservationId,
      order.createdAt,
      order.updatedAt,
    ],
  );
  await conn.batch(
    "INSERT INTO order_items (order_id, product_id, sku, name, unit_price, quantity, line_total) VALUES (?, ?, ?, ?, ?, ?, ?)",
    order.items.map((line) => [
      order.id,
      line.productId,
      line.sku,
      line.name,
      line.unitPrice,
      line.quantity,
      line.lineTotal,
    ]),
  );
}

async function completeKey(
  conn: PoolConnection,
  commit: { userId: string; key: string },
  response: StoredResponse,
  orderId: string,
  now: Date,
) {
  await conn.query(
    `UPDATE idempotency_keys SET state = 'COMPLETED', response_status = ?, response_body = ?, order_id = ?, locked_until = NULL, updated_at = ?
     WHERE user_id = ? AND idempotency_key = ?`,
    [response.status, JSON.stringify(response.body), orderId, now, commit.userId, commit.key],
  );
}

/**
 * The order holding a reservation, live or archived. One statement reads both tables in one
 * snapshot, so an order the archiver moves meanwhile is found in exactly one of them.
 */
async function orderHolding(
  db: Pool | PoolConnection,
  reservationId: string,
): Promise<string | null> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM orders WHERE reservation_id = ?
     UNION ALL SELECT id FROM orders_archive WHERE reservation_id = ? LIMIT 1`,
    [reservationId, reservationId],
  );
  return rows[0]?.id ?? null;
}

export class MariaDbOrderStore implements OrderStore {
  constructor(private readonly pool: Pool) {}

  commitPlacement(commit: PlacementCommit): Promise<CommitOutcome> {
    const { ref, order } = commit;
    return inTransaction(this.pool, async (conn) => {
      // Locking the key row serialises this commit with recovery and with the sweeper's
      // lookup: whichever comes second sees what the first decided.
      const keys: { state: string; reservation_id: string }[] = await conn.query(
        "SELECT state, reservation_id FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? FOR UPDATE",
        [ref.userId, ref.key],
      );
      const key = keys[0];
      if (!key || key.state !== "IN_FLIGHT" || key.reservation_id !== ref.reservationId)
        return { kind: "lease_lost" as const };
      const abandoned: unknown[] = await conn.query(
        "SELECT 1 FROM abandoned_reservations WHERE reservation_id = ?",
        [ref.reservationId],
      );
      if (abandoned.length) return { kind: "reservation_abandoned" as const };
      await insertOrder(conn, order);
      await insertOutbox(conn, "ORDER_CREATED", order, commit.requestId, commit.now);
      await completeKey(conn, ref, commit.response, order.id, commit.now);
      return { kind: "committed" as const };
    });
  }

  placementCommitted(ref: KeyRef): Promise<boolean> {
    return inTransaction(this.pool, async (conn) => {
      // The locking read waits for a commit whose acknowledgement was lost but which the server
      // is still applying (or rolling back), so the answer is final.
      const keys: { state: string; reservation_id: string; order_id: string | null }[] =
        await conn.query(
          "SELECT state, reservation_id, order_id FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? FOR UPDATE",
          [ref.userId, ref.key],
        );
      const key = keys[0];
      if (key?.state !== "COMPLETED" || key.reservation_id !== ref.reservationId || !key.order_id)
        return false;
      return (await orderHolding(conn, ref.reservationId)) === key.order_id;
    });
  }

  async reservationState(reservationId: string, now: Date): Promise<ReservationState> {
    const direct = await orderHolding(this.pool, reservationId);
    if (direct) return { state: "ORDER_EXISTS", orderId: direct };
    return inTransaction(this.pool, async (conn) => {
      // The same row lock as commitPlacement: an answer of NO_ORDER cannot race a commit.
      const keys: { state: string; order_id: string | null }[] = await conn.query(
        "SELECT state, order_id FROM idempotency_keys WHERE reservation_id = ? FOR UPDATE",
        [reservationId],
      );
      const key = keys[0];
      if (key && key.state !== "COMPLETED") return { state: "PENDING" as const };
      if (key?.order_id) return { state: "ORDER_EXISTS" as const, orderId: key.order_id };
      // The key may be purged long before the order is archived: the order itself is the answer.
      const orderId = await orderHolding(conn, reservationId);
      if (orderId) return { state: "ORDER_EXISTS" as const, orderId };
      await conn.query(
        "INSERT IGNORE INTO abandoned_reservations (reservation_id, created_at) VALUES (?, ?)",
        [reservationId, now],
      );
      return { state: "NO_ORDER" as const };
    });
  }

  changeStatus(
    orderId: string,
    decide: (order: Order) => StatusDecision | { kind: "hidden" },
    context: { requestId: string | null; now: Date },
  ) {
    return inTransaction(this.pool, async (conn) => {
      // FOR UPDATE: two cancels at once produce one status change and one event.
      const order = await loadOrder(conn, { id: orderId }, true);
      if (!order) return { kind: "missing" as const };
      const decision = decide(order);
      if (decision.kind !== "change") return { kind: "decided" as const, decision, order };
      const changed: Order = { ...order, status: decision.to, updatedAt: context.now };
      await conn.query("UPDATE orders SET status = ?, updated_at = ? WHERE id = ?", [
        changed.status,
        changed.updatedAt,
        order.id,
      ]);
      await insertOutbox(conn, decision.eventType, changed, context.requestId, context.now);
      return { kind: "decided" as const, decision, order: changed };
    });
  }

  async expiredPlacements(now: Date, limit: number): Promise<ExpiredPlacement[]> {
    const rows: { user_id: string; idempotency_key: string; reservation_id: string }[] =
      await this.pool.query(
        `SELECT user_id, idempotency_key, reservation_id FROM idempotency_keys
       WHERE state IN ('IN_FLIGHT', 'RECOVERING') AND locked_until < ? ORDER BY locked_until LIMIT ?`,
        [now, limit],
      );
    return rows.map((r) => ({
      userId: r.user_id,
      key: r.idempotency_key,
      reservationId: r.reservation_id,
    }));
  }

  claimForRecovery(
    placement: ExpiredPlacement,
    response: (order: Order) => StoredResponse,
    now: Date,
    leaseUntil: Date,
  ): Promise<RecoveryClaim> {
    return inTransaction(this.pool, async (conn) => {
      // Re-checked under the row lock: another replica's recovery or a late commit may have won.
      const keys: { state: string }[] = await conn.query(
        `SELECT state FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? AND reservation_id = ?
         AND state IN ('IN_FLIGHT', 'RECOVERING') AND locked_until < ? FOR UPDATE`,
        [placement.userId, placement.key, placement.reservationId, now],
      );
      if (!keys[0]) return { kind: "gone" as const };
      const order = await loadOrder(conn, { reservationId: placement.reservationId });
      if (order) {
        await completeKey(conn, placement, response(order), order.id, now);
        return { kind: "order_exists" as const, order };
      }
      // RECOVERING (not IN_FLIGHT) makes a late commit of the dead placement fail.
      await conn.query(
        "UPDATE idempotency_keys SET state = 'RECOVERING', locked_until = ?, updated_at = ? WHERE user_id = ? AND idempotency_key = ?",
        [leaseUntil, now, placement.userId, placement.key],
      );
      return { kind: "claimed" as const };
    });
  }
}
