import { generateKeyPairSync, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import request from "supertest";
import { createTokenVerifier, requireAuth, requireRole, requireServiceToken } from "../src";
import { startTestIssuer, type TestIssuer } from "../src/testing";
import { buildTestApp } from "./testApp";

describe("bearer token verification", () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(() => issuer.close());

  function app() {
    const verifier = createTokenVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithm: "RS256",
    });
    return buildTestApp((a) => {
      a.get("/me", requireAuth(verifier), (req, res) => void res.json(req.principal));
      a.get(
        "/admin",
        requireAuth(verifier),
        requireRole("ADMIN"),
        (_req, res) => void res.json({ ok: true }),
      );
      a.get(
        "/internal/ping",
        requireServiceToken(["s3cret-a", "s3cret-b"]),
        (_req, res) => void res.json({ ok: true }),
      );
    }).app;
  }

  test("accepts a valid token with nothing but the JWKS URL", async () => {
    const userId = randomUUID();
    const res = await request(app())
      .get("/me")
      .set("Authorization", `Bearer ${issuer.tokenFor({ userId })}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId, role: "CUSTOMER" });
  });

  // An answer for one signed-in caller (their orders, their profile) carried no Cache-Control,
  // so a shared cache between client and gateway was free to store it.
  test("marks what it answers a signed-in caller as not to be stored", async () => {
    const ok = await request(app())
      .get("/me")
      .set("Authorization", `Bearer ${issuer.tokenFor({ userId: randomUUID() })}`);
    expect(ok.status).toBe(200);
    expect(ok.headers["cache-control"]).toBe("private, no-store");
  });

  // The scheme is case-insensitive (RFC 9110, 11.1): "bearer" and "BEARER" were refused with 401.
  test("reads the Bearer scheme in any case", async () => {
    const userId = randomUUID();
    for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
      const res = await request(app())
        .get("/me")
        .set("Authorization", `${scheme} ${issuer.tokenFor({ userId })}`);
      expect({ scheme, status: res.status }).toEqual({ scheme, status: 200 });
    }
    const basic = await request(app()).get("/me").set("Authorization", "Basic dXNlcjpwYXNz");
    expect(basic.status).toBe(401);
  });

  test("verifies with a configured PEM public key too", async () => {
    const verifier = createTokenVerifier({
      publicKeyPem: issuer.publicKeyPem,
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithm: "RS256",
    });
    await expect(verifier.verify(issuer.tokenFor({ role: "ADMIN" }))).resolves.toMatchObject({
      role: "ADMIN",
    });
  });

  /** A base64url JWT payload claiming ADMIN from this issuer for this audience, for 10 minutes. */
  const adminPayload = () =>
    Buffer.from(
      JSON.stringify({
        sub: randomUUID(),
        role: "ADMIN",
        iss: issuer.issuer,
        aud: issuer.audience,
        exp: Math.floor(Date.now() / 1000) + 600,
        jti: "x",
      }),
    ).toString("base64url");

  const forged: Record<string, () => string> = {
    "a missing token": () => "",
    "a malformed header": () => "Token abc",
    "an expired token": () => `Bearer ${issuer.tokenFor({}, { expiresInSeconds: -60 })}`,
    "a tampered payload": () => {
      const [h, , s] = issuer.tokenFor({}).split(".");
      const payload = adminPayload();
      return `Bearer ${h}.${payload}.${s}`;
    },
    "alg none": () => {
      const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
      const payload = adminPayload();
      return `Bearer ${header}.${payload}.`;
    },
    "HS256 signed with the public key as secret": () =>
      `Bearer ${jwt.sign({ role: "ADMIN" }, issuer.publicKeyPem, { algorithm: "HS256", issuer: issuer.issuer, audience: issuer.audience, subject: randomUUID(), jwtid: "x" })}`,
    "another key": () => {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      return `Bearer ${jwt.sign({ role: "CUSTOMER" }, privateKey, { algorithm: "RS256", keyid: "unknown-kid", issuer: issuer.issuer, audience: issuer.audience, subject: randomUUID(), jwtid: "x" })}`;
    },
  };

  test.each(Object.keys(forged))("answers 401 UNAUTHENTICATED for %s", async (name) => {
    const header = forged[name]!();
    const req = request(app()).get("/me");
    const res = header ? await req.set("Authorization", header) : await req;
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("UNAUTHENTICATED");
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  test("refuses a token for another audience or issuer", async () => {
    const strict = createTokenVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: "someone-else",
      audience: issuer.audience,
      algorithm: "RS256",
    });
    await expect(strict.verify(issuer.tokenFor({}))).rejects.toThrow(/issuer/);
    const otherAudience = createTokenVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: "another-api",
      algorithm: "RS256",
    });
    await expect(otherAudience.verify(issuer.tokenFor({}))).rejects.toThrow(/audience/);
  });

  test("answers 403 FORBIDDEN for the wrong role and 200 for the right one", async () => {
    const customer = await request(app())
      .get("/admin")
      .set("Authorization", `Bearer ${issuer.tokenFor({ role: "CUSTOMER" })}`);
    expect(customer.status).toBe(403);
    expect(customer.body.code).toBe("FORBIDDEN");
    const admin = await request(app())
      .get("/admin")
      .set("Authorization", `Bearer ${issuer.tokenFor({ role: "ADMIN" })}`);
    expect(admin.status).toBe(200);
  });

  test("service routes accept any configured service token and refuse others", async () => {
    expect(
      (await request(app()).get("/internal/ping").set("Authorization", "Bearer s3cret-b")).status,
    ).toBe(200);
    expect(
      (await request(app()).get("/internal/ping").set("Authorization", "Bearer wrong")).status,
    ).toBe(401);
    expect(
      (
        await request(app())
          .get("/internal/ping")
          .set("Authorization", `Bearer ${issuer.tokenFor({ role: "ADMIN" })}`)
      ).status,
    ).toBe(401);
  });
});
