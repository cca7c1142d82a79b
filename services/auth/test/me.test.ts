import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { aSignedInUser, authServiceForFile, call, userView } from "./support";

let kid: string;
const running = authServiceForFile();
beforeAll(() => {
  kid = running.auth.jwks.keys[0]!.kid;
});

const me = (authorization?: string) =>
  call(running.auth.url, "GET", "/api/v1/auth/me", {
    headers: authorization ? { authorization } : {},
  });

/** A token signed with the service's own private key, so only the claim under test is wrong. */
function signedByService(claims: Record<string, unknown>, options: jwt.SignOptions = {}) {
  return jwt.sign({ role: "CUSTOMER", ...claims }, running.env.keys.privateKey, {
    algorithm: "RS256",
    keyid: kid,
    issuer: "product-ordering-auth",
    audience: "product-ordering",
    jwtid: randomUUID(),
    ...("exp" in claims ? {} : { expiresIn: 900 }),
    ...options,
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function expectUnauthenticated(res: {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}) {
  expect(res.status).toBe(401);
  expect(res.body.code).toBe("UNAUTHENTICATED");
  expect(res.headers.get("www-authenticate")).toContain("Bearer");
}

describe("GET /api/v1/auth/me", () => {
  it("answers 200 with the signed-in user", async () => {
    const user = await aSignedInUser(running.auth.url);

    const res = await me(`Bearer ${user.tokens.accessToken}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual(userView(user));
  });

  it("answers 401 UNAUTHENTICATED without an Authorization header", async () => {
    expectUnauthenticated(await me());
  });

  it.each(["Basic dXNlcjpwYXNz", "Bearer", "Bearer not a token", "bearer"])(
    "answers 401 UNAUTHENTICATED for the header %j",
    async (header) => {
      expectUnauthenticated(await me(header));
    },
  );

  it("accepts a token the test signs with the service's key and correct claims (the control for the cases below)", async () => {
    const user = await aSignedInUser(running.auth.url);

    expect((await me(`Bearer ${signedByService({ sub: user.userId })}`)).status).toBe(200);
  });

  it("answers 401 for an expired token signed with the service's key", async () => {
    const user = await aSignedInUser(running.auth.url);
    const oneHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const token = signedByService({ sub: user.userId, iat: oneHourAgo, exp: oneHourAgo + 900 });

    expectUnauthenticated(await me(`Bearer ${token}`));
  });

  it("answers 401 for a token whose payload was tampered with (role raised to ADMIN)", async () => {
    const user = await aSignedInUser(running.auth.url);
    const [header, payload, signature] = user.tokens.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());

    const tampered = [header, b64({ ...claims, role: "ADMIN" }), signature].join(".");

    expectUnauthenticated(await me(`Bearer ${tampered}`));
  });

  it("answers 401 for an unsigned token (alg: none)", async () => {
    const user = await aSignedInUser(running.auth.url);
    const claims = jwt.decode(user.tokens.accessToken) as Record<string, unknown>;

    const unsigned = `${b64({ alg: "none", typ: "JWT", kid })}.${b64(claims)}.`;

    expectUnauthenticated(await me(`Bearer ${unsigned}`));
  });

  it("answers 401 for an HS256 token whose HMAC secret is the service's public key (algorithm confusion)", async () => {
    const user = await aSignedInUser(running.auth.url);
    const claims = jwt.decode(user.tokens.accessToken) as Record<string, unknown>;
    const signingInput = `${b64({ alg: "HS256", typ: "JWT", kid })}.${b64(claims)}`;
    const signature = createHmac("sha256", running.env.keys.publicPem)
      .update(signingInput)
      .digest("base64url");

    expectUnauthenticated(await me(`Bearer ${signingInput}.${signature}`));
  });

  it("answers 401 for a token signed by another RSA key that claims the service's kid", async () => {
    const user = await aSignedInUser(running.auth.url);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = jwt.sign({ role: "ADMIN" }, privateKey, {
      algorithm: "RS256",
      keyid: kid,
      issuer: "product-ordering-auth",
      audience: "product-ordering",
      subject: user.userId,
      jwtid: randomUUID(),
      expiresIn: 900,
    });

    expectUnauthenticated(await me(`Bearer ${forged}`));
  });

  it.each([
    ["another issuer", { issuer: "someone-else" }],
    ["another audience", { audience: "another-api" }],
    ["an unknown kid", { keyid: "unknown-kid" }],
  ])("answers 401 for a token with %s", async (_case, options) => {
    const user = await aSignedInUser(running.auth.url);

    expectUnauthenticated(await me(`Bearer ${signedByService({ sub: user.userId }, options)}`));
  });

  it("answers 401 when the token's user no longer exists", async () => {
    const user = await aSignedInUser(running.auth.url);
    await running.env.pool.query("DELETE FROM users WHERE id = ?", [user.userId]);

    expectUnauthenticated(await me(`Bearer ${user.tokens.accessToken}`));
  });
});
