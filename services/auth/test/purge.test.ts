import { waitFor } from "@app/shared/testing";
import type { RunningAuth } from "../src/main";
import { aSignedInUser, authTestEnv, type AuthTestEnv, post, type TokenPair } from "./support";

let env: AuthTestEnv;
let purger: RunningAuth;

beforeAll(async () => {
  env = await authTestEnv();
  // A batch of 2 makes one purge run loop over several batches.
  purger = await env.start({
    REFRESH_TOKEN_PURGE_INTERVAL_MS: "100",
    REFRESH_TOKEN_PURGE_BATCH_SIZE: "2",
  });
});
afterAll(() => env.cleanup());

const rowsOf = async (userId: string) => {
  const [{ n }] = await env.pool.query(
    "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = ?",
    [userId],
  );
  return Number(n);
};

describe("refresh token purge", () => {
  it("deletes expired and revoked refresh tokens and keeps live and rotated ones (reuse detection needs those)", async () => {
    // Tokens from a replica with a 1-second refresh lifetime and no purge of its own.
    const shortLived = await env.start({
      REFRESH_TOKEN_TTL_SECONDS: "1",
      REFRESH_TOKEN_PURGE_INTERVAL_MS: "0",
    });
    const expiring = await aSignedInUser(shortLived.url);

    const loggedOut = await aSignedInUser(purger.url);
    const sessions = [loggedOut.tokens.refreshToken];
    for (let i = 0; i < 4; i++) {
      const login = await post<TokenPair>(purger.url, "/api/v1/auth/login", {
        email: loggedOut.email,
        password: loggedOut.password,
      });
      sessions.push(login.body.refreshToken);
    }
    for (const refreshToken of sessions)
      expect((await post(purger.url, "/api/v1/auth/logout", { refreshToken })).status).toBe(204);

    const rotating = await aSignedInUser(purger.url);
    expect(
      (
        await post(purger.url, "/api/v1/auth/refresh", {
          refreshToken: rotating.tokens.refreshToken,
        })
      ).status,
    ).toBe(200);
    const untouched = await aSignedInUser(purger.url);

    await waitFor(async () => (await rowsOf(loggedOut.userId)) === 0, {
      what: "the five revoked tokens to be purged",
    });
    await waitFor(async () => (await rowsOf(expiring.userId)) === 0, {
      what: "the expired token to be purged",
    });
    expect(await rowsOf(rotating.userId)).toBe(2);
    expect(await rowsOf(untouched.userId)).toBe(1);
    // The kept rotated row still trips reuse detection.
    expect(
      (
        await post(purger.url, "/api/v1/auth/refresh", {
          refreshToken: rotating.tokens.refreshToken,
        })
      ).status,
    ).toBe(401);
  });
});
