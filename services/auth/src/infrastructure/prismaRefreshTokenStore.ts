import type { NewRefreshToken, RefreshTokenStore } from "../application/ports";
import type { RefreshTokenRecord } from "../domain/refreshToken";
import type { AuthPrisma } from "./prismaClient";

const RECORD = {
  id: true,
  familyId: true,
  userId: true,
  expiresAt: true,
  usedAt: true,
  revokedAt: true,
} as const;

export class PrismaRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly prisma: AuthPrisma) {}

  async create(token: NewRefreshToken): Promise<void> {
    await this.prisma.refreshToken.create({ data: token });
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash }, select: RECORD });
  }

  rotate(usedId: string, next: NewRefreshToken, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      // Conditional update: of two requests presenting the same token, exactly one sees count 1.
      const { count } = await tx.refreshToken.updateMany({
        where: { id: usedId, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (count !== 1) return false;
      await tx.refreshToken.create({ data: next });
      return true;
    });
  }

  async revokeFamily(familyId: string, now: Date): Promise<number> {
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: now },
    });
    return count;
  }

  async purge(now: Date, limit: number): Promise<number> {
    // Rotated (used) rows of a live family stay until they expire: they are what reuse detection
    // recognises. Revoked rows can go at once; presenting them answers 401 either way.
    return this.prisma.$executeRaw`
      DELETE FROM refresh_tokens
      WHERE expires_at <= ${now} OR revoked_at IS NOT NULL
      LIMIT ${limit}`;
  }
}
