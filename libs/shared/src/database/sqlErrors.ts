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

/** The transaction lost a lock race and was (or must be) rolled back; running it again is safe. */
export function isRetryableLockError(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
}
