import { createHash, createPublicKey, randomUUID } from "node:crypto";
import { createTokenVerifier, InvalidTokenError } from "@app/shared";
import jwt from "jsonwebtoken";
import type { RunningAuth } from "../src/main";
import { aKeyPair, aSignedInUser, authServiceForFile, call } from "./support";

const running = authServiceForFile();

interface Jwks {
  keys: { kty: string; n: string; e: string; kid: string; alg: string; use: string }[];
}

const jwksUrl = (service: RunningAuth) => `${service.url}/.well-known/jwks.json`;
const fetchJwks = async (service: RunningAuth) =>
  call<Jwks>(service.url, "GET", "/.well-known/jwks.json");
const meWith = (service: RunningAuth, token: string) =>
  call(service.url, "GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${token}` } });

describe("GET /.well-known/jwks.json", () => {
  it("publishes the current RSA public key with kid, alg RS256 and use sig, and nothing private", async () => {
    const res = await fetchJwks(running.auth);

    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("max-age");
    expect(res.body.keys).toHaveLength(1);
    const [key] = res.body.keys;
    expect(key).toEqual({
      kty: "RSA",
      n: expect.any(String),
      e: "AQAB",
      kid: expect.any(String),
      alg: "RS256",
      use: "sig",
    });
    expect(
      createPublicKey({ key: key!, format: "jwk" }).export({ format: "pem", type: "spki" }),
    ).toBe(running.env.keys.publicPem);
  });

  it("names the key by its RFC 7638 thumbprint when no JWT_KEY_ID is configured", async () => {
    const [key] = (await fetchJwks(running.auth)).body.keys;
    const canonical = JSON.stringify({ e: key!.e, kty: "RSA", n: key!.n });

    expect(key!.kid).toBe(createHash("sha256").update(canonical).digest("base64url"));
  });
});

describe("verification from the JWKS alone", () => {
  it("verifies an access token with nothing but the JWKS document (no shared code)", async () => {
    const user = await aSignedInUser(running.auth.url);
    const { keys } = (await fetchJwks(running.auth)).body;
    const { kid } = jwt.decode(user.tokens.accessToken, { complete: true })!.header;
    const jwk = keys.find((k) => k.kid === kid)!;

    const claims = jwt.verify(
      user.tokens.accessToken,
      createPublicKey({ key: jwk, format: "jwk" }),
      {
        algorithms: ["RS256"],
        issuer: "product-ordering-auth",
        audience: "product-ordering",
      },
    ) as jwt.JwtPayload;

    expect(claims).toMatchObject({ sub: user.userId, role: "CUSTOMER", jti: expect.any(String) });
  });

  it("is accepted by libs/shared's createTokenVerifier given only the JWKS URL", async () => {
    const user = await aSignedInUser(running.auth.url);
    const verifier = createTokenVerifier({
      jwksUrl: jwksUrl(running.auth),
      issuer: "product-ordering-auth",
      audience: "product-ordering",
      algorithm: "RS256",
    });

    const principal = await verifier.verify(user.tokens.accessToken);

    expect(principal).toEqual({
      userId: user.userId,
      role: "CUSTOMER",
      tokenId: (jwt.decode(user.tokens.accessToken) as jwt.JwtPayload).jti,
    });
  });

  it("is refused by createTokenVerifier when the token was signed by a key the JWKS does not hold", async () => {
    const stranger = aKeyPair();
    const forged = jwt.sign({ role: "ADMIN" }, stranger.privateKey, {
      algorithm: "RS256",
      keyid: "stranger",
      issuer: "product-ordering-auth",
      audience: "product-ordering",
      subject: randomUUID(),
      jwtid: randomUUID(),
      expiresIn: 900,
    });
    const verifier = createTokenVerifier({
      jwksUrl: jwksUrl(running.auth),
      issuer: "product-ordering-auth",
      audience: "product-ordering",
      algorithm: "RS256",
    });

    const refusal = verifier.verify(forged);

    // The JWKS was fetched and searched: an unreachable JWKS would fail with another message.
    await expect(refusal).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(refusal).rejects.toThrow("Unable to find a signing key that matches 'stranger'");
  });
});

describe("key rotation", () => {
  it("uses JWT_KEY_ID as the kid in token headers and in the JWKS", async () => {
    const named = await running.env.start({ JWT_KEY_ID: "auth-2026-01" });
    const user = await aSignedInUser(named.url);

    expect(jwt.decode(user.tokens.accessToken, { complete: true })!.header.kid).toBe(
      "auth-2026-01",
    );
    expect((await fetchJwks(named)).body.keys.map((k) => k.kid)).toEqual(["auth-2026-01"]);
  });

  it("publishes the previous key beside the new one, so tokens signed before the rotation stay valid everywhere", async () => {
    const user = await aSignedInUser(running.auth.url);
    const oldToken = user.tokens.accessToken;
    const next = aKeyPair();

    const rotated = await running.env.start({
      JWT_PRIVATE_KEY: next.privatePem,
      JWT_PREVIOUS_PUBLIC_KEY: running.env.keys.publicPem,
    });

    const kids = (await fetchJwks(rotated)).body.keys.map((k) => k.kid);
    expect(kids).toHaveLength(2);
    expect(kids[1]).toBe(running.auth.jwks.keys[0]!.kid);
    expect((await meWith(rotated, oldToken)).status).toBe(200);
    const verifier = createTokenVerifier({
      jwksUrl: jwksUrl(rotated),
      issuer: "product-ordering-auth",
      audience: "product-ordering",
      algorithm: "RS256",
    });
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ userId: user.userId });

    const fresh = await aSignedInUser(rotated.url);
    expect(jwt.decode(fresh.tokens.accessToken, { complete: true })!.header.kid).toBe(kids[0]);
    await expect(verifier.verify(fresh.tokens.accessToken)).resolves.toMatchObject({
      userId: fresh.userId,
    });
  });

  it("stops accepting the old key's tokens once the previous key is no longer configured", async () => {
    const user = await aSignedInUser(running.auth.url);
    const afterRotation = await running.env.start({ JWT_PRIVATE_KEY: aKeyPair().privatePem });

    const res = await meWith(afterRotation, user.tokens.accessToken);

    expect(res.status).toBe(401);
    expect(res.body.code).toBe("UNAUTHENTICATED");
  });
});
