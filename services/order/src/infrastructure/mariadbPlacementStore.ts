import { inTransaction, isDuplicateKey, type Pool, type PoolConnection } from "@app/shared";
import type {
  CommitOutcome,
  ExpiredPlacement,
  IdempotencyRecord,
  KeyRef,
  PlacementCommit,
  PlacementStore,
  RecoveryClaim,
  ReservationState,
} from "../application/ports";
import type { StoredResponse } from "../domain/idempotency";
import { canTransition, mayCommit, type KeyState } from "../domain/keyLifecycle";
import type { Order } from "../domain/order";
import { insertOrder, insertOutbox } from "./orderWrites";
import { loadOrder } from "./orderRows";

interface KeyRow {
  user_id: string;
  idempotency_key: string;
  request_hash: string;
  state: KeyState;
  reservation_id: string;
  response_status: number | null;
  response_body: unknown;
  created_at: Date;
}

const COLUMNS =
  "user_id, idempotency_key, request_hash, state, reservation_id, response_status, response_body, created_at";

function toRecord(row: KeyRow): IdempotencyRecord {
  const body =
    typeof row.response_body === "string" ? JSON.parse(row.response_body) : row.response_body;
  return {
    userId: row.user_id,
    key: row.idempotency_key,
    requestHash: row.request_hash,
    state: row.state,
    reservationId: row.reservation_id,
    response: row.response_status === null ? null : { status: row.response_status, body },
    createdAt: row.created_at,
  };
}

/**
 * IN_FLIGHT/RECOVERING -> COMPLETED with the order's answer, inside the caller's transaction, and
 * only beside the order's row: sent behind the order's insert, it changes nothing if that insert
 * failed and took the transaction with it (see commitPlacement).
 */
async function completeWithOrder(
  conn: PoolConnection,
  key: { userId: string; key: string },
  response: StoredResponse,
  orderId: string,
  now: Date,
): Promise<void> {
  const result: { affectedRows: number } = await conn.query(
    `UPDATE idempotency_keys SET state = 'COMPLETED', response_status = ?, response_body = ?, order_id = ?, locked_until = NULL, updated_at = ?
     WHERE user_id = ? AND idempotency_key = ? AND EXISTS (SELECT 1 FROM orders WHERE id = ?)`,
    [response.status, JSON.stringify(response.body), orderId, now, key.userId, key.key, orderId],
  );
  if (result.affectedRows !== 1) throw new Error(`no order ${orderId} to complete its key with`);
}

const KEY_OF_RESERVATION = "SELECT state, order_id FROM idempotency_keys WHERE reservation_id = ?";
const KEY_OF_RESERVATION_FOR_UPDATE =
  "SELECT state, order_id FROM idempotency_keys WHERE reservation_id = ? FOR UPDATE";

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

/**
 * Every statement on `idempotency_keys` and `abandoned_reservations`: the transitions of
 * domain/keyLifecycle, and the placement's commit that completes a key with its order.
 */
export class MariaDbPlacementStore implements PlacementStore {
  constructor(private readonly pool: Pool) {}

  async claim(
    record: KeyRef & { requestHash: string; lockedUntil: Date; now: Date },
    retentionCutoff: Date,
  ) {
    const insert = () =>
      this.pool.query(
        `INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, state, reservation_id, locked_until, created_at, updated_at)
         VALUES (?, ?, ?, 'IN_FLIGHT', ?, ?, ?, ?)`,
        [
          record.userId,
          record.key,
          record.requestHash,
          record.reservationId,
          record.lockedUntil,
          record.now,
          record.now,
        ],
      );
    // Between our insert and our read the row may go: a placement that failed transiently frees
    // its key, so a retry that found it taken may take it now (three rounds are plenty: each
    // round lost means another request won the key outright).
    for (let round = 1; round <= 3; round++) {
      try {
        await insert();
        return { kind: "claimed" as const };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // A finished key past its retention is as good as absent; the purge just has not reached it.
      const expired = await this.pool.query(
        "DELETE FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? AND state = 'COMPLETED' AND created_at < ?",
        [record.userId, record.key, retentionCutoff],
      );
      if (expired.affectedRows === 1) continue;
      const existing = await this.find(record.userId, record.key);
      if (existing) return { kind: "exists" as const, record: existing };
    }
    throw new Error("idempotency key freed and taken again three times in a row");
  }

  async find(userId: string, key: string): Promise<IdempotencyRecord | null> {
    const rows: KeyRow[] = await this.pool.query(
      `SELECT ${COLUMNS} FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ?`,
      [userId, key],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async complete(ref: KeyRef, response: StoredResponse, now: Date): Promise<boolean> {
    // Conditional on the reservation: a placement whose key recovery took over must not write.
    const result = await this.pool.query(
      `UPDATE idempotency_keys SET state = 'COMPLETED', response_status = ?, response_body = ?, locked_until = NULL, updated_at = ?
       WHERE user_id = ? AND idempotency_key = ? AND reservation_id = ? AND state = 'IN_FLIGHT'`,
      [response.status, JSON.stringify(response.body), now, ref.userId, ref.key, ref.reservationId],
    );
    return result.affectedRows === 1;
  }

  commitPlacement(commit: PlacementCommit): Promise<CommitOutcome> {
    const { ref, order } = commit;
    return inTransaction(this.pool, async (conn) => {
      // Statements started together go out back to back on the connection (the driver
      // pipelines them) and run in the order given: one wait per group instead of one per
      // statement, on the path every order takes. These two only read.
      const [keys, abandoned]: [{ state: KeyState; reservation_id: string }[], unknown[]] =
        await Promise.all([
          // Locking the key row serialises this commit with recovery and with the sweeper's
          // lookup: whichever comes second sees what the first decided.
          conn.query(
            "SELECT state, reservation_id FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? FOR UPDATE",
            [ref.userId, ref.key],
          ),
          conn.query("SELECT 1 FROM abandoned_reservations WHERE reservation_id = ?", [
            ref.reservationId,
          ]),
        ]);
      const key = keys[0] && { state: keys[0].state, reservationId: keys[0].reservation_id };
      if (!mayCommit(key, ref.reservationId)) return { kind: "lease_lost" as const };
      if (abandoned.length) return { kind: "reservation_abandoned" as const };
      // A deadlock on one of these statements rolls the transaction back, and the server then
      // runs the ones queued behind it on their own, committed at once. So the order's insert
      // goes first and each one behind it writes only beside the order row (the lines by their
      // foreign key, the event and the key by their own condition): after a rollback, none does.
      const writes = await Promise.allSettled([
        insertOrder(conn, order),
        insertOutbox(conn, "ORDER_CREATED", order, commit.requestId, commit.now),
        completeWithOrder(conn, ref, commit.response, order.id, commit.now),
      ]);
      // The first failure in statement order is the cause; the later ones only follow from it.
      const failed = writes.find((w) => w.status === "rejected");
      if (failed) throw failed.reason;
      return { kind: "committed" as const };
    });
  }

  placementCommitted(ref: KeyRef): Promise<boolean> {
    return inTransaction(this.pool, async (conn) => {
      // The locking read waits for a commit whose acknowledgement was lost but which the server
      // is still applying (or rolling back), so the answer is final.
      const keys: { state: KeyState; reservation_id: string; order_id: string | null }[] =
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

  async free(ref: KeyRef): Promise<void> {
    await this.pool.query(
      "DELETE FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? AND reservation_id = ? AND state <> 'COMPLETED'",
      [ref.userId, ref.key, ref.reservationId],
    );
  }

  async purgeCompletedBefore(cutoff: Date, limit: number): Promise<number> {
    const result = await this.pool.query(
      "DELETE FROM idempotency_keys WHERE state = 'COMPLETED' AND created_at < ? LIMIT ?",
      [cutoff, limit],
    );
    return Number(result.affectedRows);
  }

  async reservationState(reservationId: string): Promise<ReservationState> {
    const direct = await orderHolding(this.pool, reservationId);
    if (direct) return { state: "ORDER_EXISTS", orderId: direct };
    return this.settleReservation(this.pool, reservationId);
  }

  async abandonUnlessOrdered(reservationId: string, now: Date): Promise<ReservationState> {
    const direct = await orderHolding(this.pool, reservationId);
    if (direct) return { state: "ORDER_EXISTS", orderId: direct };
    return inTransaction(this.pool, async (conn) => {
      // The same row lock as commitPlacement: an answer of NO_ORDER cannot race a commit.
      const state = await this.settleReservation(conn, reservationId, "lock");
      if (state.state === "NO_ORDER")
        await conn.query(
          "INSERT IGNORE INTO abandoned_reservations (reservation_id, created_at) VALUES (?, ?)",
          [reservationId, now],
        );
      return state;
    });
  }

  /** The key decides while it exists; a purged key leaves the order itself as the answer. */
  private async settleReservation(
    db: Pool | PoolConnection,
    reservationId: string,
    lock: "lock" | "read" = "read",
  ): Promise<ReservationState> {
    const keys: { state: KeyState; order_id: string | null }[] = await db.query(
      lock === "lock" ? KEY_OF_RESERVATION_FOR_UPDATE : KEY_OF_RESERVATION,
      [reservationId],
    );
    const key = keys[0];
    if (key && key.state !== "COMPLETED") return { state: "PENDING" };
    if (key?.order_id) return { state: "ORDER_EXISTS", orderId: key.order_id };
    // The key may be purged long before the order is archived: the order itself is the answer.
    const orderId = await orderHolding(db, reservationId);
    return orderId ? { state: "ORDER_EXISTS", orderId } : { state: "NO_ORDER" };
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
    answer: (order: Order) => StoredResponse,
    now: Date,
    leaseUntil: Date,
  ): Promise<RecoveryClaim> {
    return inTransaction(this.pool, async (conn) => {
      // Re-checked under the row lock: another replica's recovery or a late commit may have won.
      const keys: { state: KeyState }[] = await conn.query(
        `SELECT state FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ? AND reservation_id = ?
         AND state IN ('IN_FLIGHT', 'RECOVERING') AND locked_until < ? FOR UPDATE`,
        [placement.userId, placement.key, placement.reservationId, now],
      );
      if (!keys[0] || !canTransition(keys[0].state, "take_over")) return { kind: "gone" as const };
      const order = await loadOrder(conn, { reservationId: placement.reservationId });
      if (order) {
        await completeWithOrder(conn, placement, answer(order), order.id, now);
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
