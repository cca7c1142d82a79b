import { createHash, randomBytes } from "node:crypto";

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/** 256 random bits: unguessable, so a fast hash (not bcrypt) is enough to protect it at rest. */
export function newRefreshTokenSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function hashRefreshToken(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export type RefreshTokenState = "LIVE" | "EXPIRED" | "DEAD";

/**
 * DEAD = already rotated or revoked: presenting it means someone replays an old token, so the
 * whole family goes. EXPIRED is merely old and is refused without punishing the family.
 */
export function refreshTokenState(token: RefreshTokenRecord, now: Date): RefreshTokenState {
  if (token.usedAt || token.revokedAt) return "DEAD";
  if (token.expiresAt.getTime() <= now.getTime()) return "EXPIRED";
  return "LIVE";
}
