import type { Clock, RefreshTokenStore } from "./ports";

/** Deletes expired and revoked refresh tokens in batches, so one run never holds long locks. */
export async function purgeRefreshTokens(
  deps: { refreshTokens: RefreshTokenStore; clock: Clock },
  batchSize: number,
): Promise<number> {
  const now = deps.clock.now();
  let total = 0;
  for (;;) {
    const deleted = await deps.refreshTokens.purge(now, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
