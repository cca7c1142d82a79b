import jwt from "jsonwebtoken";
import {
  aRegistration,
  authServiceForFile,
  expectMalformedJsonRefused,
  post,
  type TokenPair,
} from "./support";

const running = authServiceForFile();

// Each test speaks from its own client address (trusted X-Forwarded-For from loopback), so the
// per-client throttle of one test never touches another.
let clientCounter = 0;
const aClient = () => ({ "x-forwarded-for": `10.1.0.${++clientCounter}` });

async function registered(overrides: Partial<{ email: string; password: string }> = {}) {
  const registration = aRegistration(overrides);
  const res = await post<{ id: string }>(running.auth.url, "/api/v1/auth/register", registration);
  expect(res.status).toBe(201);
  return { ...registration, id: res.body.id };
}

const login = (body: unknown, headers = aClient()) =>
  post<TokenPair & Record<string, unknown>>(running.auth.url, "/api/v1/auth/login", body, headers);

describe("POST /api/v1/auth/login", () => {
  it("answers 200 with a Bearer access token for the user and an opaque refresh token", async () => {
    const user = await registered();
    const res = await login({ email: user.email, password: user.password });

    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 900,
    });
    const decoded = jwt.decode(res.body.accessToken, { complete: true })!;
    expect(decoded.header).toMatchObject({ alg: "RS256", kid: running.auth.jwks.keys[0]!.kid });
    const claims = decoded.payload as jwt.JwtPayload;
    expect(claims).toMatchObject({
      sub: user.id,
      role: "CUSTOMER",
      iss: "product-ordering-auth",
      aud: "product-ordering",
      jti: expect.any(String),
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(res.body.refreshToken.split(".")).toHaveLength(1);
  });

  it("finds the account whatever the case and surrounding spaces of the email", async () => {
    const user = await registered();
    const res = await login({ email: `  ${user.email.toUpperCase()} `, password: user.password });

    expect(res.status).toBe(200);
  });

  it("answers the same 401 INVALID_CREDENTIALS for a wrong password and for an unknown email", async () => {
    const user = await registered();
    const wrongPassword = await login({ email: user.email, password: "not the password" });
    const unknownEmail = await login({
      email: `nobody.${Date.now()}@example.com`,
      password: "not the password",
    });

    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    const comparable = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(comparable(wrongPassword.body)).toEqual(comparable(unknownEmail.body));
    expect(wrongPassword.body.code).toBe("INVALID_CREDENTIALS");
  });

  it("refuses a password that matches only in its first 72 bytes (bcrypt's input limit)", async () => {
    const prefix = "p".repeat(80);
    const user = await registered({ password: `${prefix}-one` });

    expect((await login({ email: user.email, password: `${prefix}-two` })).status).toBe(401);
    expect((await login({ email: user.email, password: `${prefix}-one` })).status).toBe(200);
  });

  it.each([
    ["a missing password", { email: "a@example.com" }],
    ["an invalid email", { email: "nope", password: "whatever1" }],
    ["an over-long password", { email: "a@example.com", password: "z".repeat(129) }],
  ])("returns 400 VALIDATION_FAILED for %s", async (_case, body) => {
    const res = await login(body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
  });

  it("returns 400 MALFORMED_JSON for a body that is not JSON", async () => {
    await expectMalformedJsonRefused(running.auth.url, "/api/v1/auth/login", "{nope");
  });
});
