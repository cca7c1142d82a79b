// MariaDB error numbers the stores act on.
const ER_DUP_ENTRY = 1062;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;

const errnoOf = (error: unknown): number | undefined => (error as { errno?: number } | null)?.errno;

export const isDuplicateKey = (error: unknown) => errnoOf(error) === ER_DUP_ENTRY;

/** The transaction lost a lock race and was (or must be) rolled back; running it again is safe. */
export const isRetryableLockError = (error: unknown) => {
  const errno = errnoOf(error);
  return errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
};
