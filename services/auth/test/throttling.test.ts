import type { RunningAuth } from "../src/main";
import { aRegistration, authTestEnv, post, type AuthTestEnv } from "./support";

const MAX_PER_EMAIL = 3;
const MAX_PER_CLIENT = 5;
const WINDOW_SECONDS = 120;

let env: AuthTestEnv;
let auth: RunningAuth;

beforeAll(async () => {
  env = await authTestEnv();
  auth = await env.start({
    LOGIN_MAX_FAILURES_PER_EMAIL: String(MAX_PER_EMAIL),
    LOGIN_MAX_FAILURES_PER_CLIENT: String(MAX_PER_CLIENT),
    LOGIN_THROTTLE_WINDOW_SECONDS: String(WINDOW_SECONDS),
  });
});
afterAll(() => env.cleanup());

let clientCounter = 0;
const aClientAddress = () => `10.2.0.${++clientCounter}`;

async function registered() {
  const registration = aRegistration();
  expect((await post(auth.url, "/api/v1/auth/register", registration)).status).toBe(201);
  return registration;
}

const login = (email: string, password: string, clientAddress = aClientAddress()) =>
  post(auth.url, "/api/v1/auth/login", { email, password }, { "x-forwarded-for": clientAddress });

async function failTimes(n: number, email: string, clientAddress?: () => string) {
  for (let i = 0; i < n; i++)
    expect((await login(email, "wrong password", clientAddress?.())).status).toBe(401);
}

describe("login throttling", () => {
  it("answers 429 TOO_MANY_ATTEMPTS with Retry-After after N failures for one email, from any client", async () => {
    const user = await registered();
    await failTimes(MAX_PER_EMAIL, user.email);

    const res = await login(user.email, "wrong password");

    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ status: 429, code: "TOO_MANY_ATTEMPTS" });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  });

  it("refuses even the right password while the email is throttled", async () => {
    const user = await registered();
    await failTimes(MAX_PER_EMAIL, user.email);

    expect((await login(user.email, user.password)).status).toBe(429);
  });

  it("throttles an unknown email exactly like a known one", async () => {
    const email = `ghost.${Date.now()}@example.com`;
    await failTimes(MAX_PER_EMAIL, email);

    expect((await login(email, "wrong password")).status).toBe(429);
  });

  it("counts the email case-insensitively", async () => {
    const user = await registered();
    await failTimes(MAX_PER_EMAIL, user.email.toUpperCase());

    expect((await login(user.email, user.password)).status).toBe(429);
  });

  it("resets the per-email counter after a successful login", async () => {
    const user = await registered();
    await failTimes(MAX_PER_EMAIL - 1, user.email);
    expect((await login(user.email, user.password)).status).toBe(200);
    await failTimes(MAX_PER_EMAIL - 1, user.email);

    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it("answers 429 after N failures from one client address across different emails, and other clients are unaffected", async () => {
    const client = aClientAddress();
    for (let i = 0; i < MAX_PER_CLIENT; i++) {
      expect(
        (await login(`spray${i}.${Date.now()}@example.com`, "wrong password", client)).status,
      ).toBe(401);
    }
    const user = await registered();

    const fromThrottledClient = await login(user.email, user.password, client);
    expect(fromThrottledClient.status).toBe(429);
    expect(Number(fromThrottledClient.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login(user.email, user.password, aClientAddress())).status).toBe(200);
  });

  it("counts throttled attempts in the metrics by the counter that refused them", async () => {
    const user = await registered();
    await failTimes(MAX_PER_EMAIL, user.email);
    await login(user.email, "wrong password");

    const metrics = await (await fetch(`${auth.url}/metrics`)).text();
    expect(metrics).toMatch(/auth_throttled_attempts_total\{scope="email",service="auth"\} [1-9]/);
    expect(metrics).toMatch(
      /auth_logins_total\{outcome="too_many_attempts",service="auth"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /auth_logins_total\{outcome="invalid_credentials",service="auth"\} [1-9]/,
    );
  });
});
