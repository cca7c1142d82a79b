import {
  isRetryableLockError,
  transactionOn,
  type Logger,
  type Pool,
  type PoolConnection,
  jitteredBackoffMs,
} from "@app/shared";
import { ARCHIVABLE_STATUSES } from "../domain/archivePolicy";
import type { ArchiveStore, ChunkRequest, ChunkResult, EligibleCount } from "../application/ports";

const ELIGIBLE = "status IN (?) AND updated_at < ?";
const ORDER_COLUMNS =
  "id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at";
const ITEM_COLUMNS = "id, order_id, product_id, sku, name, unit_price, quantity, line_total";

// A deadlock victim or lock-wait timeout (isRetryableLockError): the whole chunk is rolled back
// (by the server or by the catch below), so running it again is safe.
const MAX_ATTEMPTS = 5;
const ROW_LOCK_WAIT_SECONDS = 10;

interface OkPacket {
  affectedRows: number;
}

/** Raised when a chunk's copy and delete disagree; the chunk is rolled back, nothing is lost. */
export class ArchiveMismatchError extends Error {
  override name = "ArchiveMismatchError";
}

/** The move as raw SQL on the order service's tables, one transaction per chunk. */
export class MariaDbArchiveStore implements ArchiveStore {
  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  async cutoff(afterDays: number): Promise<Date> {
    const rows: { cutoff: Date }[] = await this.pool.query(
      "SELECT NOW(3) - INTERVAL ? DAY AS cutoff",
      [afterDays],
    );
    return rows[0]!.cutoff;
  }

  async countEligible(cutoff: Date): Promise<EligibleCount> {
    const rows: { orders: number; items: number | null }[] = await this.pool.query(
      `SELECT COUNT(*) AS orders, (SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id
         WHERE o.${ELIGIBLE}) AS items
       FROM orders WHERE ${ELIGIBLE}`,
      [ARCHIVABLE_STATUSES, cutoff, ARCHIVABLE_STATUSES, cutoff],
    );
    return { orders: Number(rows[0]!.orders), items: Number(rows[0]!.items ?? 0) };
  }

  async moveChunk(request: ChunkRequest): Promise<ChunkResult> {
    // Candidates by keyset on the primary key, read without locks: the transaction below
    // locks only these rows, by primary key, for as short a time as possible.
    const candidates: { id: string }[] = await this.pool.query(
      `SELECT id FROM orders WHERE ${ELIGIBLE} AND id > ? ORDER BY id LIMIT ?`,
      [ARCHIVABLE_STATUSES, request.cutoff, request.afterId, request.limit],
    );
    const lastId = candidates.at(-1)?.id ?? null;
    if (lastId === null)
      return {
        candidates: 0,
        lastId,
        archived: 0,
        items: 0,
        noLongerEligible: 0,
        lockHeldMs: 0,
        retries: 0,
      };
    const moved = await this.moveWithRetries(
      candidates.map((c) => c.id),
      request.cutoff,
    );
    return {
      candidates: candidates.length,
      lastId,
      noLongerEligible: candidates.length - moved.archived,
      ...moved,
    };
  }

  private async moveWithRetries(ids: string[], cutoff: Date) {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ...(await this.moveLocked(ids, cutoff)), retries: attempt - 1 };
      } catch (error) {
        const errno = (error as { errno?: number }).errno;
        if (attempt >= MAX_ATTEMPTS || !isRetryableLockError(error)) throw error;
        this.logger.warn("chunk rolled back by the database; retrying", {
          errno,
          attempt,
          firstId: ids[0],
        });
        await new Promise((resolve) =>
          setTimeout(resolve, jitteredBackoffMs(attempt, 40, 500, Math.random, 0.5)),
        );
      }
    }
  }

  private async moveLocked(ids: string[], cutoff: Date) {
    const conn = await this.pool.getConnection();
    try {
      // A row held longer than this (a stuck transaction) fails the attempt, which is retried.
      // The pool hands this connection out again, so its own value is put back afterwards.
      const rows: { previous: number }[] = await conn.query(
        "SELECT @@SESSION.innodb_lock_wait_timeout AS previous",
      );
      const previous = rows[0]!.previous;
      await conn.query(`SET SESSION innodb_lock_wait_timeout = ${ROW_LOCK_WAIT_SECONDS}`);
      try {
        return await moveInTransaction(conn, ids, cutoff);
      } finally {
        await conn.query("SET SESSION innodb_lock_wait_timeout = ?", [previous]);
      }
    } finally {
      await conn.release();
    }
  }
}

async function moveInTransaction(conn: PoolConnection, ids: string[], cutoff: Date) {
  const lockStarted = performance.now();
  // READ COMMITTED: no gap locks, so live orders inserted meanwhile are never blocked.
  const moved = await transactionOn(conn, (tx) => copyAndDelete(tx, ids, cutoff), {
    isolation: "READ COMMITTED",
  });
  return { ...moved, lockHeldMs: Math.round((performance.now() - lockStarted) * 10) / 10 };
}

async function copyAndDelete(conn: PoolConnection, ids: string[], cutoff: Date) {
  // Lock by primary key, in id order, and re-check eligibility on the latest committed rows.
  // It waits (not SKIP LOCKED) for a row another archiver holds: once that one commits the row is
  // gone and drops out here; if it rolls back, this chunk moves it. Skipping instead can leave a
  // row behind when both chunks happen to be retried. Either way nothing is moved twice.
  const locked: { id: string }[] = await conn.query(
    `SELECT id FROM orders WHERE id IN (?) AND ${ELIGIBLE} ORDER BY id FOR UPDATE`,
    [ids, ARCHIVABLE_STATUSES, cutoff],
  );
  if (locked.length === 0) return { archived: 0, items: 0 };
  const lockedIds = locked.map((r) => r.id);
  // Plain INSERT, not INSERT IGNORE: an id already in the archive is a broken invariant, and the
  // duplicate-key error rolls the chunk back instead of deleting an order whose copy differs.
  const orders: OkPacket = await conn.query(
    `INSERT INTO orders_archive (${ORDER_COLUMNS}) SELECT ${ORDER_COLUMNS} FROM orders WHERE id IN (?)`,
    [lockedIds],
  );
  const items: OkPacket = await conn.query(
    `INSERT INTO order_items_archive (${ITEM_COLUMNS}) SELECT ${ITEM_COLUMNS} FROM order_items WHERE order_id IN (?)`,
    [lockedIds],
  );
  // Items first and explicitly, rather than through the foreign key's cascade, so the counts can be checked.
  const deletedItems: OkPacket = await conn.query("DELETE FROM order_items WHERE order_id IN (?)", [
    lockedIds,
  ]);
  const deletedOrders: OkPacket = await conn.query("DELETE FROM orders WHERE id IN (?)", [
    lockedIds,
  ]);
  if (
    orders.affectedRows !== lockedIds.length ||
    deletedOrders.affectedRows !== lockedIds.length ||
    deletedItems.affectedRows !== items.affectedRows
  ) {
    throw new ArchiveMismatchError(
      `chunk copy/delete mismatch: locked ${lockedIds.length}, copied ${orders.affectedRows}/${items.affectedRows} items, deleted ${deletedOrders.affectedRows}/${deletedItems.affectedRows} items`,
    );
  }
  return { archived: lockedIds.length, items: items.affectedRows };
}
