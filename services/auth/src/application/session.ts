import { hashRefreshToken, newRefreshTokenSecret } from "../domain/refreshToken";
import type { Role } from "../domain/user";
import type { AccessTokenIssuer, Clock, IdGenerator, NewRefreshToken } from "./ports";

/** What login and refresh answer. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

export interface SessionDeps {
  accessTokens: AccessTokenIssuer;
  clock: Clock;
  ids: IdGenerator;
  refreshTokenTtlSeconds: number;
}

/** A fresh access token and the next refresh token of `familyId` (not yet stored). */
export function prepareSession(
  deps: SessionDeps,
  user: { id: string; role: Role },
  familyId: string,
): { session: Session; refreshRow: NewRefreshToken } {
  const now = deps.clock.now();
  const secret = newRefreshTokenSecret();
  const access = deps.accessTokens.issue({ userId: user.id, role: user.role });
  return {
    session: {
      accessToken: access.token,
      refreshToken: secret,
      tokenType: "Bearer",
      expiresIn: access.expiresInSeconds,
    },
    refreshRow: {
      id: deps.ids.newId(),
      tokenHash: hashRefreshToken(secret),
      familyId,
      userId: user.id,
      expiresAt: new Date(now.getTime() + deps.refreshTokenTtlSeconds * 1000),
      createdAt: now,
    },
  };
}
