import { hashRefreshToken } from "../domain/refreshToken";
import type { Clock, RefreshTokenStore } from "./ports";

export interface LogoutDeps {
  refreshTokens: RefreshTokenStore;
  clock: Clock;
}

/**
 * Ends the session the token belongs to (its whole family). An unknown or dead token is not an
 * error: logging out twice, or after expiry, leaves the caller logged out either way.
 */
export async function logout(deps: LogoutDeps, refreshToken: string): Promise<void> {
  const stored = await deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
  if (stored) await deps.refreshTokens.revokeFamily(stored.familyId, deps.clock.now());
}
