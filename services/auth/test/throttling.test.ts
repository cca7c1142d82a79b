import { createServer, type AddressInfo } from "node:net";
import { aRegistration, authServiceForFile, authTestEnv, post } from "./support";

const MAX_PER_PAIR = 3;
const MAX_PER_CLIENT = 5;
const MAX_PER_EMAIL = 8;
const WINDOW_SECONDS = 120;
const limits = {
  LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT: String(MAX_PER_PAIR),
  LOGIN_MAX_FAILURES_PER_CLIENT: String(MAX_PER_CLIENT),
  LOGIN_MAX_FAILURES_PER_EMAIL: String(MAX_PER_EMAIL),
};

const running = authServiceForFile({
  ...limits,
  LOGIN_THROTTLE_WINDOW_SECONDS: String(WINDOW_SECONDS),
});

let clientCounter = 0;
const aClientAddress = () => `10.2.0.${++clientCounter}`;

async function registered() {
  const registration = aRegistration();
  expect((await post(running.auth.url, "/api/v1/auth/register", registration)).status).toBe(201);
  return registration;
}

const login = (email: string, password: string, clientAddress = aClientAddress()) =>
  post(
    running.auth.url,
    "/api/v1/auth/login",
    { email, password },
    { "x-forwarded-for": clientAddress },
  );

const statusesOf = (answers: { status: number }[]) =>
  answers.reduce<Record<number, number>>(
    (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
    {},
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function failTimes(n: number, email: string, clientAddress?: () => string) {
  for (let i = 0; i < n; i++)
    expect((await login(email, "wrong password", clientAddress?.())).status).toBe(401);
}

describe("login throttling", () => {
  it("answers 429 TOO_MANY_ATTEMPTS with Retry-After after N failures for one email from one client", async () => {
    const user = await registered();
    const client = aClientAddress();
    await failTimes(MAX_PER_PAIR, user.email, () => client);

    const res = await login(user.email, "wrong password", client);

    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ status: 429, code: "TOO_MANY_ATTEMPTS" });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  });

  it("advertises each login counter's policy and what is left in the IETF RateLimit headers", async () => {
    const user = await registered();
    const client = aClientAddress();

    const res = await login(user.email, "wrong password", client);

    expect(res.status).toBe(401);
    expect(res.headers.get("ratelimit-policy")).toBe(
      `"login-failures-email-client";q=${MAX_PER_PAIR};w=${WINDOW_SECONDS}, ` +
        `"login-failures-client";q=${MAX_PER_CLIENT};w=${WINDOW_SECONDS}, ` +
        `"login-failures-email";q=${MAX_PER_EMAIL};w=${WINDOW_SECONDS}`,
    );
    expect(res.headers.get("ratelimit")).toMatch(
      new RegExp(
        `^"login-failures-email-client";r=${MAX_PER_PAIR - 1};t=\\d+, ` +
          `"login-failures-client";r=${MAX_PER_CLIENT - 1};t=\\d+, ` +
          `"login-failures-email";r=${MAX_PER_EMAIL - 1};t=\\d+$`,
      ),
    );
  });

  // A successful login reported the counters with its own attempt still in them (r=4 of 5 from a
  // client that had failed nothing), while the login had already taken it back.
  it("reports the counters as a successful login leaves them", async () => {
    const user = await registered();
    const client = aClientAddress();
    await failTimes(1, user.email, () => client);

    const res = await login(user.email, user.password, client);

    expect(res.status).toBe(200);
    // The pair's counter starts over; the client and the email get this attempt back.
    expect(res.headers.get("ratelimit")).toMatch(
      new RegExp(
        `^"login-failures-email-client";r=${MAX_PER_PAIR};t=\\d+, ` +
          `"login-failures-client";r=${MAX_PER_CLIENT - 1};t=\\d+, ` +
          `"login-failures-email";r=${MAX_PER_EMAIL - 1};t=\\d+$`,
      ),
    );
  });

  it("refuses even the right password from the client that locked the email", async () => {
    const user = await registered();
    const client = aClientAddress();
    await failTimes(MAX_PER_PAIR, user.email, () => client);

    expect((await login(user.email, user.password, client)).status).toBe(429);
  });

  it("lets the owner sign in from another client while one attacker has locked the email from theirs", async () => {
    const user = await registered();
    const attacker = aClientAddress();
    await failTimes(MAX_PER_PAIR, user.email, () => attacker);
    expect((await login(user.email, "wrong password", attacker)).status).toBe(429);

    expect((await login(user.email, user.password, aClientAddress())).status).toBe(200);
  });

  it("throttles an email for every client once many clients together pass the higher per-email limit", async () => {
    const user = await registered();
    await failTimes(MAX_PER_EMAIL, user.email, aClientAddress);

    const res = await login(user.email, user.password, aClientAddress());
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("throttles an unknown email exactly like a known one", async () => {
    const email = `ghost.${Date.now()}@example.com`;
    const client = aClientAddress();
    await failTimes(MAX_PER_PAIR, email, () => client);

    expect((await login(email, "wrong password", client)).status).toBe(429);
  });

  it("counts the email case-insensitively", async () => {
    const user = await registered();
    const client = aClientAddress();
    await failTimes(MAX_PER_PAIR, user.email.toUpperCase(), () => client);

    expect((await login(user.email, user.password, client)).status).toBe(429);
  });

  it("resets the (email, client) counter after a successful login", async () => {
    const user = await registered();
    const client = aClientAddress();
    await failTimes(MAX_PER_PAIR - 1, user.email, () => client);
    expect((await login(user.email, user.password, client)).status).toBe(200);
    await failTimes(MAX_PER_PAIR - 1, user.email, () => client);

    expect((await login(user.email, user.password, client)).status).toBe(200);
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
    const client = aClientAddress();
    await failTimes(MAX_PER_PAIR, user.email, () => client);
    await login(user.email, "wrong password", client);

    const metrics = await (await fetch(`${running.auth.url}/metrics`)).text();
    expect(metrics).toMatch(/auth_throttled_attempts_total\{scope="email_client"\} [1-9]/);
    expect(metrics).toMatch(/auth_logins_total\{outcome="too_many_attempts"\} [1-9]/);
    expect(metrics).toMatch(/auth_logins_total\{outcome="invalid_credentials"\} [1-9]/);
  });

  it("lets exactly N of 30 concurrent wrong-password logins for one email from one client reach the password check; the rest get 429 with Retry-After", async () => {
    const user = await registered();
    const client = aClientAddress();

    const answers = await Promise.all(
      Array.from({ length: 30 }, () => login(user.email, "wrong password", client)),
    );

    expect(statusesOf(answers)).toEqual({ 401: MAX_PER_PAIR, 429: 30 - MAX_PER_PAIR });
    for (const res of answers.filter((a) => a.status === 429)) {
      expect(res.body.code).toBe("TOO_MANY_ATTEMPTS");
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    }
    expect((await login(user.email, user.password, client)).status).toBe(429);
  });

  it("lets exactly the per-email limit of 30 concurrent wrong-password logins from 30 clients through", async () => {
    const user = await registered();

    const answers = await Promise.all(
      Array.from({ length: 30 }, () => login(user.email, "wrong password")),
    );

    expect(statusesOf(answers)).toEqual({ 401: MAX_PER_EMAIL, 429: 30 - MAX_PER_EMAIL });
  });

  it("lets exactly N of 30 concurrent wrong-password logins from one client address through, across different emails", async () => {
    const client = aClientAddress();

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        login(`burst${i}.${Date.now()}@example.com`, "wrong password", client),
      ),
    );

    expect(statusesOf(answers)).toEqual({ 401: MAX_PER_CLIENT, 429: 30 - MAX_PER_CLIENT });
    expect(
      answers
        .filter((a) => a.status === 429)
        .every((a) => Number(a.headers.get("retry-after")) > 0),
    ).toBe(true);
  });

  it("does not count successful logins against the client address", async () => {
    const client = aClientAddress();
    const user = await registered();
    for (let i = 0; i < MAX_PER_CLIENT - 1; i++)
      expect(
        (await login(`miss${i}.${Date.now()}@example.com`, "wrong password", client)).status,
      ).toBe(401);
    for (let i = 0; i < MAX_PER_CLIENT; i++)
      expect((await login(user.email, user.password, client)).status).toBe(200);

    expect((await login(`last.${Date.now()}@example.com`, "wrong password", client)).status).toBe(
      401,
    );
    expect((await login(user.email, user.password, client)).status).toBe(429);
  });

  it("lets the right password in once the Retry-After of a concurrent burst has passed", async () => {
    const shortWindow = await running.env.start({ ...limits, LOGIN_THROTTLE_WINDOW_SECONDS: "3" });
    const user = await registered();
    const client = aClientAddress();
    const loginThere = (password: string) =>
      post(
        shortWindow.url,
        "/api/v1/auth/login",
        { email: user.email, password },
        { "x-forwarded-for": client },
      );
    const burst = await Promise.all(Array.from({ length: 30 }, () => loginThere("wrong password")));
    expect(statusesOf(burst)[401]).toBeLessThanOrEqual(MAX_PER_PAIR);

    const refused = await loginThere(user.password);
    expect(refused.status).toBe(429);
    await sleep(Number(refused.headers.get("retry-after")) * 1000 + 100);

    const res = await loginThere(user.password);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: "Bearer", accessToken: expect.any(String) });
  });
});

describe("login throttling without a trusted proxy (TRUST_PROXY=false)", () => {
  it("answers 429 after N failures from one socket however each request forges X-Forwarded-For", async () => {
    const direct = await running.env.start({ ...limits, TRUST_PROXY: "false" });
    try {
      const answers = [];
      for (let i = 0; i < MAX_PER_CLIENT + 2; i++)
        answers.push(
          await post(
            direct.url,
            "/api/v1/auth/login",
            { email: `forger${i}.${Date.now()}@example.com`, password: "wrong password" },
            { "x-forwarded-for": aClientAddress() },
          ),
        );

      expect(statusesOf(answers)).toEqual({ 401: MAX_PER_CLIENT, 429: 2 });
    } finally {
      await direct.close();
    }
  });
});

describe("login throttling while Redis is down", () => {
  it("fails closed: 500 INTERNAL and no tokens, even for the right password", async () => {
    // A Redis that hangs up on every connection: each command fails, as in an outage.
    const outage = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => outage.listen(0, "127.0.0.1", resolve));
    const { port } = outage.address() as AddressInfo;
    const withoutRedis = await running.env.start({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const user = await registered();

    try {
      const res = await post(withoutRedis.url, "/api/v1/auth/login", {
        email: user.email,
        password: user.password,
      });

      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: "INTERNAL" });
      expect(res.body).not.toHaveProperty("accessToken");
    } finally {
      await withoutRedis.close();
      await new Promise((resolve) => outage.close(resolve));
      // ioredis ends a socket that is already gone with a 2 s timer (its default disconnectTimeout,
      // which main.ts keeps); let it fire here rather than outlive the test worker.
      await sleep(2_100);
    }
  });
});

describe("login throttling while the database is down", () => {
  it("does not count logins that failed on the database: 500 each time, never 429", async () => {
    const broken = await authTestEnv();
    try {
      const service = await broken.start({
        LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT: String(MAX_PER_PAIR),
        LOGIN_MAX_FAILURES_PER_CLIENT: String(MAX_PER_PAIR),
      });
      await broken.db.drop();
      const client = aClientAddress();

      for (let i = 0; i < MAX_PER_PAIR + 2; i++) {
        const res = await post(
          service.url,
          "/api/v1/auth/login",
          { email: "someone@example.com", password: "any password" },
          { "x-forwarded-for": client },
        );
        expect(res.status).toBe(500);
      }
    } finally {
      await broken.cleanup();
    }
  });
});
