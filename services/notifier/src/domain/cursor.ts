/** Keyset position in "newest first": the last item's creation time and id (the tie-breaker). */
export interface NotificationCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: NotificationCursor): string {
  return Buffer.from(JSON.stringify({ c: cursor.createdAt.toISOString(), i: cursor.id })).toString(
    "base64url",
  );
}

/** null for anything this API did not issue. */
export function decodeCursor(raw: string): NotificationCursor | null {
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
