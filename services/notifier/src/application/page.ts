import type { KeysetCursor } from "@app/shared";

export interface Page<T> {
  items: T[];
  /** Where the next page starts; the api layer turns it into the opaque cursor string. */
  next: KeysetCursor | null;
}

/** A page from `limit + 1` rows read after the cursor: the extra row only tells that a next page exists. */
export function toPage<T extends { createdAt: Date; id: string }>(
  rows: T[],
  limit: number,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}
