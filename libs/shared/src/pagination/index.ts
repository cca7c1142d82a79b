import { problems } from "../errors";
import { z } from "../http/openapi";

/** Keyset position in a newest-first list: the last item's creation time and id (the tie-breaker). */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of the position. */
export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify({ c: cursor.createdAt.toISOString(), i: cursor.id })).toString(
    "base64url",
  );
}

/** null for anything this API did not issue. */
export function decodeCursor(raw: string): KeysetCursor | null {
  try {
    const parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as {
      c?: unknown;
      i?: unknown;
    };
    if (
      typeof parsed.c !== "string" ||
      typeof parsed.i !== "string" ||
      !/^[0-9a-f-]{36}$/i.test(parsed.i)
    )
      return null;
    const createdAt = new Date(parsed.c);
    return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: parsed.i };
  } catch {
    return null;
  }
}

/** The `cursor` query parameter: null when absent, 400 VALIDATION_FAILED when not one we issued. */
export function cursorFromQuery(raw: string | undefined): KeysetCursor | null {
  if (raw === undefined) return null;
  const cursor = decodeCursor(raw);
  if (!cursor) {
    throw problems.validation(
      [{ path: "cursor", message: "not a cursor this API issued" }],
      "The request query is not valid.",
    );
  }
  return cursor;
}

// Decimal digits only: Number() would also take "0x10", "1e1", "+5" and " 5".
const DECIMAL = /^[0-9]+$/;

/** The query of every list route: `limit` 1..100 (default 20) and the opaque `cursor`. */
export const pageQuerySchema = z.object({
  limit: z
    .preprocess(
      (value) => (typeof value === "string" && DECIMAL.test(value) ? Number(value) : value),
      z.number().int().min(1).max(100),
    )
    .default(20),
  cursor: z.string().min(1).max(512).optional(),
});
