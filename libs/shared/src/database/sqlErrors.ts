import { errorChain } from "../errors/errorChain";

/** CHECK constraint violated: MySQL 8 (ER_CHECK_CONSTRAINT_VIOLATED). */
export const ER_CHECK_CONSTRAINT_VIOLATED = 3819;
/** CHECK constraint violated: MariaDB (ER_CONSTRAINT_FAILED). */
export const ER_CONSTRAINT_FAILED = 4025;

const errnoOf = (error: unknown): number | undefined => (error as { errno?: number } | null)?.errno;

/** A row broke a CHECK constraint, on either engine (they number it differently). */
export function isCheckViolation(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno === ER_CHECK_CONSTRAINT_VIOLATED || errno === ER_CONSTRAINT_FAILED;
}

/** Duplicate entry for a primary or unique key (ER_DUP_ENTRY): the race-safe way to see a row exists. */
export const ER_DUP_ENTRY = 1062;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;

/** An insert hit a primary or unique key that already holds the value (driver or Prisma). */
export function isDuplicateKey(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  // P2002: Prisma's name for the same refusal.
  return errnoOf(error) === ER_DUP_ENTRY || code === "ER_DUP_ENTRY" || code === "P2002";
}

// Prisma's name for a deadlock (its adapter's kind TransactionWriteConflict).
const PRISMA_WRITE_CONFLICT = "P2034";

/**
 * The transaction lost a lock race (deadlock victim or lock-wait timeout) and was, or must be,
 * rolled back; running it again is safe. Read through what wraps it: Prisma's errors carry the
 * driver's in `meta` (there a lock-wait timeout is `{ kind: "mysql", code: 1205 }`).
 */
export function isRetryableLockError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.code === PRISMA_WRITE_CONFLICT || e.kind === "TransactionWriteConflict") return true;
    const errno = typeof e.errno === "number" ? e.errno : e.code;
    if (errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT) return true;
  }
  return false;
}
