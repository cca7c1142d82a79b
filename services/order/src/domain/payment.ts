import { createHash } from "node:crypto";

/**
 * One payment reference per (user, Idempotency-Key), whatever attempt carries it: a retry of
 * the key reaches the provider under the same reference, so the provider deduplicates it. The
 * key is hashed so the client's text never travels to the provider.
 */
export function paymentReference(userId: string, idempotencyKey: string): string {
  const digest = createHash("sha256").update(`${userId}\n${idempotencyKey}`).digest("base64url");
  return `po_${digest.slice(0, 40)}`;
}
