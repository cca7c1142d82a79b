/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The form uniqueness and lookups use. The local part is case-sensitive in theory but not in
 * any mailbox provider users meet, so "Ann@X.io" and "ann@x.io" are one account.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
