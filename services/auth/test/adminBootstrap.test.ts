import { createLogger, createPool } from "@app/shared";
import { createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { startAuth, type RunningAuth } from "../src/main";
import { authTestEnv, type AuthTestEnv, call, MIGRATIONS, post, type TokenPair } from "./support";

let env: AuthTestEnv;

beforeAll(async () => {
  env = await authTestEnv();
});
afterAll(() => env.cleanup());

const ADMIN = { email: "admin@example.com", password: "change-me-admin-1" };

async function adminsIn(databaseUrl: string) {
  const pool = createPool(databaseUrl, { connectionLimit: 1 });
  try {
    return await pool.query(
      "SELECT id, email, role, password_hash FROM users WHERE role = 'ADMIN'",
    );
  } finally {
    await pool.end();
  }
}

describe("admin bootstrap", () => {
  it("creates the configured admin at start, who logs in with role ADMIN", async () => {
    const auth = await env.start();
    const login = await post<TokenPair>(auth.url, "/api/v1/auth/login", ADMIN, {
      "x-forwarded-for": "10.3.0.1",
    });

    expect(login.status).toBe(200);
    const me = await call(auth.url, "GET", "/api/v1/auth/me", {
      headers: { authorization: `Bearer ${login.body.accessToken}` },
    });
    expect(me.body).toMatchObject({ email: ADMIN.email, role: "ADMIN" });
  });

  it("creates exactly one admin when two replicas start together on an empty database", async () => {
    let db: TestDatabase | undefined;
    const started: RunningAuth[] = [];
    try {
      db = await createTestDatabase(MIGRATIONS, "auth_boot");
      const config = env.config({ DATABASE_URL: db.url });
      started.push(
        ...(await Promise.all(
          [1, 2].map(() =>
            startAuth(config, { logger: createLogger({ service: "auth", silent: true }) }),
          ),
        )),
      );

      expect(started.map((s) => s.adminBootstrap).sort()).toEqual(["CREATED", "EXISTS"]);
      expect(await adminsIn(db.url)).toHaveLength(1);
    } finally {
      await Promise.all(started.map((s) => s.close()));
      await db?.drop();
    }
  });

  it("leaves an existing admin untouched on a later start, even with another ADMIN_PASSWORD", async () => {
    await env.start();
    const [before] = await adminsIn(env.db.url);

    const restarted = await env.start({ ADMIN_PASSWORD: "a-different-password" });

    expect(restarted.adminBootstrap).toBe("EXISTS");
    expect(await adminsIn(env.db.url)).toEqual([before]);
    expect(
      (await post(restarted.url, "/api/v1/auth/login", ADMIN, { "x-forwarded-for": "10.3.0.2" }))
        .status,
    ).toBe(200);
  });

  it("never promotes a customer who registered the admin's email first", async () => {
    const auth = await env.start();
    const email = `boss.${Date.now()}@example.com`;
    expect(
      (await post(auth.url, "/api/v1/auth/register", { email, password: "chosen-by-a-stranger" }))
        .status,
    ).toBe(201);

    const restarted = await env.start({
      ADMIN_EMAIL: email.toUpperCase(),
      ADMIN_PASSWORD: "the-real-admin-pw",
    });

    expect(restarted.adminBootstrap).toBe("EMAIL_HELD_BY_CUSTOMER");
    const [{ role }] = await env.pool.query("SELECT role FROM users WHERE email_normalized = ?", [
      email,
    ]);
    expect(role).toBe("CUSTOMER");
  });
});
