import type { RunningAuth } from "../src/main";
import { aRegistration, authTestEnv, type AuthTestEnv, post } from "./support";

const MAX_PER_CLIENT = 4;
const WINDOW_SECONDS = 600;

let env: AuthTestEnv;

beforeAll(async () => {
  env = await authTestEnv();
});
afterAll(() => env.cleanup());

let clientCounter = 0;
const aClientAddress = () => `10.3.0.${++clientCounter}`;

const register = (auth: RunningAuth, client: string, body = aRegistration()) =>
  post(auth.url, "/api/v1/auth/register", body, { "x-forwarded-for": client });

const statusesOf = (answers: { status: number }[]) =>
  answers.reduce<Record<number, number>>(
    (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
    {},
  );

describe("registration limit per client", () => {
  let auth: RunningAuth;
  beforeAll(async () => {
    auth = await env.start({
      REGISTER_MAX_PER_CLIENT: String(MAX_PER_CLIENT),
      REGISTER_WINDOW_SECONDS: String(WINDOW_SECONDS),
    });
  });

  it("accepts exactly N of 30 concurrent registrations from one client; the rest get 429 TOO_MANY_ATTEMPTS with Retry-After", async () => {
    const client = aClientAddress();

    const answers = await Promise.all(Array.from({ length: 30 }, () => register(auth, client)));

    expect(statusesOf(answers)).toEqual({ 201: MAX_PER_CLIENT, 429: 30 - MAX_PER_CLIENT });
    for (const res of answers.filter((a) => a.status === 429)) {
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 429, code: "TOO_MANY_ATTEMPTS" });
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
      expect(res.headers.get("ratelimit")).toMatch(/^"register";r=0;t=\d+$/);
    }
    expect((await register(auth, aClientAddress())).status).toBe(201);
  });

  it("advertises the policy and what is left in the IETF RateLimit headers", async () => {
    const client = aClientAddress();

    const first = await register(auth, client);
    const second = await register(auth, client);

    expect(first.status).toBe(201);
    expect(first.headers.get("ratelimit-policy")).toBe(
      `"register";q=${MAX_PER_CLIENT};w=${WINDOW_SECONDS}`,
    );
    expect(first.headers.get("ratelimit")).toMatch(
      new RegExp(`^"register";r=${MAX_PER_CLIENT - 1};t=\\d+$`),
    );
    expect(second.headers.get("ratelimit")).toMatch(
      new RegExp(`^"register";r=${MAX_PER_CLIENT - 2};t=\\d+$`),
    );
  });
});

describe("password hashing in flight", () => {
  it("answers 503 BUSY with Retry-After beyond its slots while 30 clients flood registration, and every login still succeeds", async () => {
    const auth = await env.start({
      BCRYPT_COST: "10",
      REGISTER_HASHING_MAX_IN_FLIGHT: "2",
    });
    const user = aRegistration();
    expect((await register(auth, aClientAddress(), user)).status).toBe(201);

    const [registrations, logins] = await Promise.all([
      Promise.all(Array.from({ length: 30 }, () => register(auth, aClientAddress()))),
      Promise.all(
        Array.from({ length: 5 }, () =>
          post(auth.url, "/api/v1/auth/login", { email: user.email, password: user.password }),
        ),
      ),
    ]);

    const statuses = statusesOf(registrations);
    expect(statuses[201]).toBeGreaterThanOrEqual(2);
    expect(statuses[503]).toBeGreaterThan(0);
    expect((statuses[201] ?? 0) + (statuses[503] ?? 0)).toBe(30);
    for (const res of registrations.filter((r) => r.status === 503)) {
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: "BUSY" });
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(logins.map((l) => l.status)).toEqual([200, 200, 200, 200, 200]);
  });
});
