import type { KeysetCursor } from "@app/shared";

/** Keyset condition for newest-first pages: strictly older than the cursor, ties on created_at broken by id. */
export function olderThan(after: KeysetCursor | null) {
  return after
    ? {
        OR: [
          { createdAt: { lt: after.createdAt } },
          { createdAt: after.createdAt, id: { lt: after.id } },
        ],
      }
    : {};
}
