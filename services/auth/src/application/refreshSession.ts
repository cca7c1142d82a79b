import { hashRefreshToken, refreshTokenState } from "../domain/refreshToken";
import type { RefreshTokenStore, UserRepository } from "./ports";
import { prepareSession, type Session, type SessionDeps } from "./session";

export type RefreshOutcome =
  | { kind: "rotated"; session: Session }
  | { kind: "invalid_refresh_token"; reason: "UNKNOWN" | "EXPIRED" | "REUSED" };

export interface RefreshDeps extends SessionDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenStore;
}

export async function refreshSession(
  deps: RefreshDeps,
  refreshToken: string,
): Promise<RefreshOutcome> {
  const now = deps.clock.now();
  const stored = await deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
  if (!stored) return { kind: "invalid_refresh_token", reason: "UNKNOWN" };

  const state = refreshTokenState(stored, now);
  if (state === "EXPIRED") return { kind: "invalid_refresh_token", reason: "EXPIRED" };
  if (state === "DEAD") return revokeFamily(deps, stored.familyId, now);

  const user = await deps.users.findById(stored.userId);
  if (!user) return { kind: "invalid_refresh_token", reason: "UNKNOWN" };

  const { session, refreshRow } = prepareSession(deps, user, stored.familyId);
  // Losing this race means another request used the same token first: that is reuse as well.
  if (!(await deps.refreshTokens.rotate(stored.id, refreshRow, now)))
    return revokeFamily(deps, stored.familyId, now);
  return { kind: "rotated", session };
}

async function revokeFamily(
  deps: RefreshDeps,
  familyId: string,
  now: Date,
): Promise<RefreshOutcome> {
  await deps.refreshTokens.revokeFamily(familyId, now);
  return { kind: "invalid_refresh_token", reason: "REUSED" };
}
