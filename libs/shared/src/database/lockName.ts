import { createHash } from "node:crypto";

/** MySQL refuses GET_LOCK names longer than 64 characters (MariaDB takes any length). */
export const MAX_LOCK_NAME_LENGTH = 64;

/**
 * A GET_LOCK name the server accepts: `name` itself when it fits, else a readable prefix and a
 * SHA-256 of the whole name, so two long names still get two locks.
 */
export function serverLockName(name: string): string {
  if (name.length <= MAX_LOCK_NAME_LENGTH) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 40);
  return `${name.slice(0, MAX_LOCK_NAME_LENGTH - hash.length - 1)}:${hash}`;
}
