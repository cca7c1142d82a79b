import type { Pool } from "@app/shared";
import type { IdempotencyRecord, IdempotencyStore, KeyRef } from "../application/ports";
import type { IdempotencyState, StoredResponse } from "../domain/idempotency";
import { isDuplicateKey } from "./sqlErrors";

interface KeyRow {
  user_id: string;
  idempotency_key: string;
  request_hash: string;
  state: string;
  reservation_id: string;
  response_status: number | null;
  response_body: unknown;
  created_at: Date;
}

const COLUMNS =
  "user_id, idempotency_key, request_hash, state, reservation_id, response_status, response_body, created_at";

export function toRecord(row: KeyRow): IdempotencyRecord {
  const body =
    typeof row.response_body === "string" ? JSON.parse(row.response_body) : row.response_body;
  return {
    userId: row.user_id,
    key: row.idempotency_key,
    requestHash: row.request_hash,
    state: row.state as IdempotencyState,
    reservationId: row.reservation_id,
    response: row.response_status === null ? null : { status: row.response_status, body },
    createdAt: row.created_at,
  };
}

/** The (user, key) primary key is what makes "one placement per key" hold, Redis or not. */
export class MariaDbIdempotencyStore implements IdempotencyStore {
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
}
