import {
  inTransaction,
  isDuplicateKey,
  isRetryableLockError,
  rollBack,
  type Pool,
  type PoolConnection,
} from "@app/shared";
import {
  confirmTransition,
  releaseTransition,
  type Reservation,
  type ReleaseCause,
  type ReservationLine,
  type ReservationStatus,
  type ReservedItem,
  type SweepDecision,
} from "../domain/reservation";
import { shortLines } from "../domain/reservation";
import type {
  ConfirmResult,
  EventMark,
  ReleaseResult,
  ReservationStore,
  ReserveAttempt,
  SweepReport,
} from "../application/ports";
import { DECREMENT_IF_AVAILABLE, INCREMENT } from "./stockStatements";

interface StockReadRow {
  id: string;
  sku: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
}

interface ReservationRow {
  id: string;
  status: ReservationStatus;
  expires_at: Date;
}

interface ItemRow {
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  currency: string;
}

const toItem = (row: ItemRow): ReservedItem => ({
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  quantity: row.quantity,
  unitPrice: Number(row.unit_price),
  currency: row.currency,
});

/** The reservation transactions: all SQL that moves stock for the order service lives here. */
export class MariaDbReservationStore implements ReservationStore {
  constructor(private readonly pool: Pool) {}

  async tryReserve(
    reservationId: string,
    lines: ReservationLine[],
    expiresAt: Date,
    now: Date,
  ): Promise<ReserveAttempt> {
    try {
      return await inTransaction<ReserveAttempt>(this.pool, async (conn) => {
        const ids = lines.map((l) => l.productId);
        // Statements started together go out back to back on the connection (the driver
        // pipelines them) and run in the order given: one wait per group, not per statement.
        const [inserted, read] = await Promise.allSettled([
          // The primary key is the idempotency guard: a second request with this id blocks here
          // until the first commits, then fails with a duplicate key and replays the stored answer.
          conn.query(
            "INSERT INTO reservations (id, status, expires_at, created_at, updated_at) VALUES (?, 'RESERVED', ?, ?, ?)",
            [reservationId, expiresAt, now, now],
          ),
          // A plain (non-locking) read for the lines' prices and names and an early out-of-stock
          // answer; the guarded decrements below decide, under each row's lock.
          conn.query(
            `SELECT p.id, p.sku, p.name, p.price, p.currency, s.quantity
           FROM products p JOIN stocks s ON s.product_id = p.id WHERE p.id IN (?)`,
            [ids],
          ) as Promise<StockReadRow[]>,
        ]);
        if (inserted.status === "rejected") {
          if (!isDuplicateKey(inserted.reason)) throw inserted.reason;
          // Same connection: a replay must not wait for a second one from a pool its peers
          // exhaust. The transaction's first read ran after the insert had waited for the first
          // request's commit, so its snapshot, and this read, see the committed reservation.
          const stored = await this.load(conn, reservationId, false);
          return rollBack(
            stored ? { kind: "replayed", reservation: stored } : { kind: "conflict" },
          );
        }
        if (read.status === "rejected") throw read.reason;
        const rows = read.value;
        const byId = new Map(rows.map((r) => [r.id, r]));
        const missing = ids.filter((id) => !byId.has(id));
        if (missing.length) return rollBack({ kind: "products_missing", productIds: missing });
        const short = shortLines(lines, new Map(rows.map((r) => [r.id, r.quantity])));
        if (short.length) return rollBack({ kind: "out_of_stock", shortItems: short });
        const items: ReservedItem[] = lines.map((line) => {
          const p = byId.get(line.productId)!;
          return {
            productId: p.id,
            sku: p.sku,
            name: p.name,
            quantity: line.quantity,
            unitPrice: Number(p.price),
            currency: p.currency,
          };
        });
        // Lines arrive sorted by product id, so row locks are always taken in the same order.
        // Each decrement waits for the row's lock and takes the units only if enough remain, so
        // buyers of one hot product queue on its row instead of failing a version check and
        // retrying. A deadlock on a statement rolls the transaction back, and the server then
        // runs the statements queued behind it on their own, committed at once: so each
        // decrement waits for the one before, and only the items (which their foreign key ties
        // to this transaction's reservation row) go out behind the last. A short line rolls all
        // back.
        const decrement = (line: ReservationLine) =>
          conn.query(DECREMENT_IF_AVAILABLE, [
            line.quantity,
            now,
            line.productId,
            line.quantity,
          ]) as Promise<{ affectedRows: number }>;
        const decrements: { affectedRows: number }[] = [];
        for (const line of lines.slice(0, -1)) {
          const done = await decrement(line);
          decrements.push(done);
          if (done.affectedRows !== 1) break;
        }
        if (decrements.every((d) => d.affectedRows === 1)) {
          const [last] = await Promise.all([
            decrement(lines[lines.length - 1]!),
            conn.batch(
              "INSERT INTO reservation_items (reservation_id, product_id, quantity, unit_price, currency, sku, name) VALUES (?, ?, ?, ?, ?, ?, ?)",
              items.map((i) => [
                reservationId,
                i.productId,
                i.quantity,
                i.unitPrice,
                i.currency,
                i.sku,
                i.name,
              ]),
            ),
          ]);
          decrements.push(last);
        }
        const soldOut = lines.find((_, i) => decrements[i]?.affectedRows !== 1);
        if (soldOut) {
          // Sold since the read: what is left now, read under the lock this transaction holds.
          const [left]: { quantity: number }[] = await conn.query(
            "SELECT quantity FROM stocks WHERE product_id = ? FOR UPDATE",
            [soldOut.productId],
          );
          return rollBack({
            kind: "out_of_stock",
            shortItems: shortLines([soldOut], new Map([[soldOut.productId, left?.quantity ?? 0]])),
          });
        }
        return {
          kind: "reserved",
          reservation: { reservationId, status: "RESERVED", expiresAt, items },
        };
      });
    } catch (error) {
      // A deadlock or lock-wait timeout rolled the attempt back: a conflict the caller retries.
      if (isRetryableLockError(error)) return { kind: "conflict" };
      throw error;
    }
  }

  async find(reservationId: string): Promise<Reservation | null> {
    const conn = await this.pool.getConnection();
    try {
      return await this.load(conn, reservationId, false);
    } finally {
      await conn.release();
    }
  }

  async confirm(reservationId: string, now: Date, event?: EventMark): Promise<ConfirmResult> {
    return inTransaction<ConfirmResult>(this.pool, async (conn) => {
      const { fresh, reservation } = await this.markAndLock(conn, reservationId, now, event);
      if (!fresh) return rollBack({ kind: "duplicate_event" });
      if (!reservation) return { kind: "not_found" };
      const transition = confirmTransition(reservation.status);
      if (transition === "confirm") {
        await conn.query(
          "UPDATE reservations SET status = 'CONFIRMED', updated_at = ? WHERE id = ?",
          [now, reservationId],
        );
      }
      if (transition === "confirm")
        return { kind: "confirmed", reservation: { ...reservation, status: "CONFIRMED" } };
      return { kind: transition, reservation };
    });
  }

  async release(
    reservationId: string,
    cause: ReleaseCause,
    now: Date,
    event?: EventMark,
  ): Promise<ReleaseResult> {
    return inTransaction<ReleaseResult>(this.pool, async (conn) => {
      const { fresh, reservation } = await this.markAndLock(conn, reservationId, now, event);
      if (!fresh) return rollBack({ kind: "duplicate_event" });
      if (!reservation) return { kind: "not_found" };
      const transition = releaseTransition(reservation.status, cause);
      if (transition !== "release") return { kind: transition, reservation };
      await this.returnStock(conn, [reservation], now);
      return { kind: "released", reservation: { ...reservation, status: "RELEASED" } };
    });
  }

  async sweepExpired(
    limit: number,
    now: Date,
    decide: (reservationId: string) => Promise<SweepDecision>,
  ): Promise<SweepReport> {
    const report: SweepReport = { confirmed: [], released: [], left: [], releasedProductIds: [] };
    // READ COMMITTED: no gap locks on the index range, so new reservations are never blocked
    // while the claimed rows wait for the order service's answer.
    const toRelease = await inTransaction(
      this.pool,
      async (conn) => {
        // SKIP LOCKED: several replicas sweep at once, each claiming rows the others do not hold.
        const claimed: { id: string }[] = await conn.query(
          "SELECT id FROM reservations WHERE status = 'RESERVED' AND expires_at <= ? ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED",
          [now, limit],
        );
        const decisions = await Promise.all(
          claimed.map(async ({ id }) => ({
            id,
            decision: await decide(id).catch((): SweepDecision => "LEAVE"),
          })),
        );
        const toRelease: Reservation[] = [];
        for (const { id, decision } of decisions) {
          if (decision === "CONFIRM") {
            await conn.query(
              "UPDATE reservations SET status = 'CONFIRMED', updated_at = ? WHERE id = ?",
              [now, id],
            );
            report.confirmed.push(id);
          } else if (decision === "RELEASE") {
            const reservation = await this.load(conn, id, false);
            if (reservation) toRelease.push(reservation);
            report.released.push(id);
          } else {
            report.left.push(id);
          }
        }
        await this.returnStock(conn, toRelease, now);
        return toRelease;
      },
      { isolation: "READ COMMITTED" },
    );
    report.releasedProductIds = [
      ...new Set(toRelease.flatMap((r) => r.items.map((i) => i.productId))),
    ];
    return report;
  }

  /** Marks the reservations released and gives their units back, stock rows in product id order. */
  private async returnStock(
    conn: PoolConnection,
    reservations: Reservation[],
    now: Date,
  ): Promise<void> {
    if (!reservations.length) return;
    const ids = reservations.map((r) => r.reservationId);
    await conn.query(
      "UPDATE reservations SET status = 'RELEASED', updated_at = ? WHERE id IN (?)",
      [now, ids],
    );
    const byProduct = new Map<string, number>();
    for (const item of reservations.flatMap((r) => r.items))
      byProduct.set(item.productId, (byProduct.get(item.productId) ?? 0) + item.quantity);
    for (const productId of [...byProduct.keys()].sort()) {
      await conn.query(INCREMENT, [byProduct.get(productId), now, productId]);
    }
  }

  /**
   * A settlement's start: the event's mark first (a second delivery waits on it), then the
   * reservation under its lock, sent together. `fresh` is false for an event recorded before.
   */
  private async markAndLock(
    conn: PoolConnection,
    reservationId: string,
    now: Date,
    event: EventMark | undefined,
  ): Promise<{ fresh: boolean; reservation: Reservation | null }> {
    const [fresh, reservation] = await Promise.all([
      event ? this.recordEvent(conn, event, now) : true,
      this.load(conn, reservationId, true),
    ]);
    return { fresh, reservation };
  }

  /** false when this event was already recorded (its effect is already applied). */
  private async recordEvent(conn: PoolConnection, event: EventMark, now: Date): Promise<boolean> {
    try {
      await conn.query(
        "INSERT INTO processed_events (event_id, event_type, processed_at) VALUES (?, ?, ?)",
        [event.eventId, event.eventType, now],
      );
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  private async load(
    conn: PoolConnection,
    reservationId: string,
    forUpdate: boolean,
  ): Promise<Reservation | null> {
    // Both reads go out together (pipelined, in this order): one wait instead of two.
    const [rows, items]: [ReservationRow[], ItemRow[]] = await Promise.all([
      conn.query(
        `SELECT id, status, expires_at FROM reservations WHERE id = ?${forUpdate ? " FOR UPDATE" : ""}`,
        [reservationId],
      ),
      conn.query(
        "SELECT product_id, sku, name, quantity, unit_price, currency FROM reservation_items WHERE reservation_id = ? ORDER BY product_id",
        [reservationId],
      ),
    ]);
    const row = rows[0];
    if (!row) return null;
    return {
      reservationId: row.id,
      status: row.status,
      expiresAt: row.expires_at,
      items: items.map(toItem),
    };
  }
}
