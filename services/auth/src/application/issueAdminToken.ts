import { normalizeEmail } from "../domain/email";
import type { AccessTokenIssuer, UserRepository } from "./ports";

export type AdminTokenOutcome =
  { kind: "issued"; accessToken: string; expiresInSeconds: number } | { kind: "not_an_admin" };

/**
 * An access token for an existing admin, issued by whoever holds the signing key: the local
 * stack's seed and an operator with a shell on auth sign in this way, never through the public
 * login, so its throttle (which anyone can trip) cannot lock them out.
 */
export async function issueAdminToken(
  deps: { users: UserRepository; accessTokens: AccessTokenIssuer },
  email: string,
): Promise<AdminTokenOutcome> {
  const user = await deps.users.findByNormalizedEmail(normalizeEmail(email));
  if (!user || user.role !== "ADMIN") return { kind: "not_an_admin" };
  const { token, expiresInSeconds } = deps.accessTokens.issue({ userId: user.id, role: "ADMIN" });
  return { kind: "issued", accessToken: token, expiresInSeconds };
}
