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
