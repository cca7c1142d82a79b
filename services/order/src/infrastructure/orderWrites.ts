import {
  createOrderEvent,
  currentTraceparent,
  type OrderEventType,
  type PoolConnection,
} from "@app/shared";
import { eventPayload, type Order } from "../domain/order";

/**
 * The order and its lines, inside the caller's transaction; both statements go out together
 * (the driver pipelines them, the order first).
 */
export async function insertOrder(conn: PoolConnection, order: Order): Promise<void> {
  const header = conn.query(
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
  const lines = conn.batch(
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
  await Promise.all([header, lines]);
}

/**
 * The event's outbox row, inside the transaction that wrote the order. It is written only beside
 * its order row (INSERT ... SELECT from orders): sent behind the order's own insert, it changes
 * nothing if that insert failed and took the transaction with it (see commitPlacement).
 */
export async function insertOutbox(
  conn: PoolConnection,
  eventType: OrderEventType,
  order: Order,
  requestId: string | null,
  now: Date,
): Promise<void> {
  // `envelope` is what the relay ships, as written. The split columns are what the relay's
  // queries order and filter by, and what a relay of the previous version still reads.
  const envelope = createOrderEvent(eventType, order.id, eventPayload(order), now);
  const result: { affectedRows: number } = await conn.query(
    `INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, envelope, request_id, traceparent, status, available_at, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'READY', ?, ? FROM orders WHERE id = ?`,
    [
      envelope.eventId,
      envelope.aggregateType,
      envelope.aggregateId,
      envelope.eventType,
      JSON.stringify(envelope.payload),
      JSON.stringify(envelope),
      requestId,
      currentTraceparent() ?? null,
      now,
      now,
      order.id,
    ],
  );
  if (result.affectedRows !== 1) throw new Error(`no order ${order.id} to write its event beside`);
}
