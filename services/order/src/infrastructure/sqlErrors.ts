/** MariaDB's duplicate-key error (ER_DUP_ENTRY). */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { errno?: number; code?: string };
  return e?.errno === 1062 || e?.code === "ER_DUP_ENTRY";
}
