import {
  aSignedInUser,
  authServiceForFile,
  call,
  expectMalformedJsonRefused,
  post,
  type TokenPair,
} from "./support";

const running = authServiceForFile();

const refresh = (refreshToken: unknown) =>
  post<TokenPair & Record<string, unknown>>(running.auth.url, "/api/v1/auth/refresh", {
    refreshToken,
  });
const logout = (refreshToken: unknown) =>
  post(running.auth.url, "/api/v1/auth/logout", { refreshToken });
const me = (accessToken: string) =>
  call(running.auth.url, "GET", "/api/v1/auth/me", {
    headers: { authorization: `Bearer ${accessToken}` },
  });

async function familyRows(userId: string) {
  return running.env.pool.query(
    "SELECT family_id, used_at, revoked_at FROM refresh_tokens WHERE user_id = ? ORDER BY created_at",
    [userId],
  );
}

describe("POST /api/v1/auth/refresh", () => {
  it("answers 200 with a new token pair whose access token works", async () => {
    const user = await aSignedInUser(running.auth.url);
    const res = await refresh(user.tokens.refreshToken);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 900,
    });
    expect(res.body.refreshToken).not.toBe(user.tokens.refreshToken);
    expect((await me(res.body.accessToken)).body.id).toBe(user.userId);
  });

  it("stores only a hash of the refresh token, in the same family across rotations", async () => {
    const user = await aSignedInUser(running.auth.url);
    const rotated = await refresh(user.tokens.refreshToken);
    expect(rotated.status).toBe(200);

    const rows = await running.env.pool.query(
      "SELECT token_hash, family_id FROM refresh_tokens WHERE user_id = ?",
      [user.userId],
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r: { family_id: string }) => r.family_id)).size).toBe(1);
    for (const row of rows) {
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect([user.tokens.refreshToken, rotated.body.refreshToken]).not.toContain(row.token_hash);
    }
  });

  it("rotates: the used refresh token is dead and answers 401 INVALID_REFRESH_TOKEN", async () => {
    const user = await aSignedInUser(running.auth.url);
    expect((await refresh(user.tokens.refreshToken)).status).toBe(200);

    const again = await refresh(user.tokens.refreshToken);

    expect(again.status).toBe(401);
    expect(again.body.code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("revokes the whole family when a rotated token is presented again, so the thief's and the owner's newer tokens die", async () => {
    const user = await aSignedInUser(running.auth.url);
    const second = await refresh(user.tokens.refreshToken);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);

    expect((await refresh(user.tokens.refreshToken)).status).toBe(401);

    const latest = await refresh(third.body.refreshToken);
    expect(latest.status).toBe(401);
    expect(latest.body.code).toBe("INVALID_REFRESH_TOKEN");
    const rows = await familyRows(user.userId);
    expect(rows.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
  });

  it("leaves the user's other sessions (other families) alive when one family is revoked", async () => {
    const user = await aSignedInUser(running.auth.url);
    const otherSession = await post<TokenPair>(running.auth.url, "/api/v1/auth/login", {
      email: user.email,
      password: user.password,
    });
    await refresh(user.tokens.refreshToken);
    await refresh(user.tokens.refreshToken);

    expect((await refresh(otherSession.body.refreshToken)).status).toBe(200);
  });

  it("lets exactly one of two concurrent refreshes with the same token succeed", async () => {
    const user = await aSignedInUser(running.auth.url);
    const answers = await Promise.all([
      refresh(user.tokens.refreshToken),
      refresh(user.tokens.refreshToken),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const [{ n }] = await running.env.pool.query(
      "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = ? AND used_at IS NOT NULL",
      [user.userId],
    );
    expect(Number(n)).toBe(1);
  });

  it("answers 401 INVALID_REFRESH_TOKEN for a token it never issued", async () => {
    const res = await refresh("made-up-token");

    expect(res.status).toBe(401);
    expect(res.body.code).toBe("INVALID_REFRESH_TOKEN");
  });

  it("answers 401 for an expired refresh token without revoking its family", async () => {
    const shortLived = await running.env.start({
      REFRESH_TOKEN_TTL_SECONDS: "1",
      REFRESH_TOKEN_PURGE_INTERVAL_MS: "0",
    });
    const user = await aSignedInUser(shortLived.url);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const res = await post(shortLived.url, "/api/v1/auth/refresh", {
      refreshToken: user.tokens.refreshToken,
    });

    expect(res.status).toBe(401);
    expect(res.body.code).toBe("INVALID_REFRESH_TOKEN");
    const rows = await familyRows(user.userId);
    expect(rows.map((r: { revoked_at: Date | null }) => r.revoked_at)).toEqual([null]);
  });

  it.each([
    ["a missing refreshToken", {}],
    ["a non-string refreshToken", { refreshToken: 42 }],
    ["an empty refreshToken", { refreshToken: "" }],
  ])("returns 400 VALIDATION_FAILED for %s", async (_case, body) => {
    const res = await post(running.auth.url, "/api/v1/auth/refresh", body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
  });

  it("returns 400 MALFORMED_JSON for a body that is not JSON", async () => {
    await expectMalformedJsonRefused(running.auth.url, "/api/v1/auth/refresh", '{"refreshToken":');
  });

  it("counts refreshes by outcome in the metrics", async () => {
    const user = await aSignedInUser(running.auth.url);
    await refresh(user.tokens.refreshToken);
    await refresh(user.tokens.refreshToken);

    const metrics = await (await fetch(`${running.auth.url}/metrics`)).text();
    expect(metrics).toMatch(/auth_refreshes_total\{outcome="rotated"\} [1-9]/);
    expect(metrics).toMatch(/auth_refreshes_total\{outcome="reused"\} [1-9]/);
  });
});

describe("POST /api/v1/auth/logout", () => {
  it("answers 204 and the refresh token no longer works", async () => {
    const user = await aSignedInUser(running.auth.url);

    const res = await logout(user.tokens.refreshToken);

    expect(res.status).toBe(204);
    expect((await refresh(user.tokens.refreshToken)).status).toBe(401);
  });

  it("ends the whole session: the newest token of a rotated family dies too", async () => {
    const user = await aSignedInUser(running.auth.url);
    const rotated = await refresh(user.tokens.refreshToken);

    expect((await logout(rotated.body.refreshToken)).status).toBe(204);

    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
  });

  it("answers 204 again for a token already logged out, and for one it never issued", async () => {
    const user = await aSignedInUser(running.auth.url);
    await logout(user.tokens.refreshToken);

    expect((await logout(user.tokens.refreshToken)).status).toBe(204);
    expect((await logout("never-issued")).status).toBe(204);
  });

  it("returns 400 VALIDATION_FAILED without a refreshToken", async () => {
    const res = await post(running.auth.url, "/api/v1/auth/logout", {});

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
  });

  it("returns 400 MALFORMED_JSON for a body that is not JSON", async () => {
    await expectMalformedJsonRefused(running.auth.url, "/api/v1/auth/logout", "nope");
  });
});
