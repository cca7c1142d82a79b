import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "@app/shared";
import { startupExit } from "@app/shared/testing";
import jwt from "jsonwebtoken";
import { loadAuthConfig } from "../src/main";
import { aKeyPair, aSignedInUser, authTestEnv, type AuthTestEnv, call } from "./support";

let env: AuthTestEnv;
let tempDir: string;

beforeAll(async () => {
  env = await authTestEnv();
  tempDir = await mkdtemp(path.join(os.tmpdir(), "auth-keys-"));
});
afterAll(async () => {
  await env.cleanup();
  await rm(tempDir, { recursive: true, force: true });
});

const kidOf = async (url: string) =>
  (await call<{ keys: { kid: string }[] }>(url, "GET", "/.well-known/jwks.json")).body.keys[0]!.kid;

describe("signing key configuration", () => {
  it("generates a key pair once into KEYS_DIR when none is configured, and reuses it on later starts", async () => {
    const keysDir = path.join(tempDir, "local");
    const first = await env.start({ JWT_PRIVATE_KEY: "", KEYS_DIR: keysDir });
    const token = (await aSignedInUser(first.url)).tokens.accessToken;
    await first.close();

    const second = await env.start({ JWT_PRIVATE_KEY: "", KEYS_DIR: keysDir });

    expect(await kidOf(second.url)).toBe(jwt.decode(token, { complete: true })!.header.kid);
    expect(
      (
        await call(second.url, "GET", "/api/v1/auth/me", {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(200);
    const files = await readdir(keysDir);
    expect(files).toEqual(["auth-signing-key.pem"]);
    expect((await stat(path.join(keysDir, files[0]!))).mode & 0o777).toBe(0o600);
  });

  it("agrees on one generated key when two replicas start together with an empty KEYS_DIR", async () => {
    const keysDir = path.join(tempDir, "race");
    const [a, b] = await Promise.all([
      env.start({ JWT_PRIVATE_KEY: "", KEYS_DIR: keysDir }),
      env.start({ JWT_PRIVATE_KEY: "", KEYS_DIR: keysDir }),
    ]);

    expect(await kidOf(a!.url)).toBe(await kidOf(b!.url));
    expect(await readdir(keysDir)).toEqual(["auth-signing-key.pem"]);
  });

  it("reads the private key from JWT_PRIVATE_KEY_FILE", async () => {
    const keys = aKeyPair();
    const file = path.join(tempDir, "mounted.pem");
    await writeFile(file, keys.privatePem);

    const auth = await env.start({ JWT_PRIVATE_KEY: "", JWT_PRIVATE_KEY_FILE: file });
    const user = await aSignedInUser(auth.url);

    expect(() =>
      jwt.verify(user.tokens.accessToken, keys.publicKey, { algorithms: ["RS256"] }),
    ).not.toThrow();
  });

  it("accepts a PEM flattened onto one line with literal \\n sequences", async () => {
    const keys = aKeyPair();
    const auth = await env.start({ JWT_PRIVATE_KEY: keys.privatePem.replace(/\n/g, "\\n") });
    const user = await aSignedInUser(auth.url);

    expect(() =>
      jwt.verify(user.tokens.accessToken, keys.publicKey, { algorithms: ["RS256"] }),
    ).not.toThrow();
  });

  it("refuses to start with an RSA key shorter than 2048 bits", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });

    await expect(
      env.start({
        JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      }),
    ).rejects.toThrow(/too short/);
  });

  it("refuses to start with a key that is not RSA", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });

    await expect(
      env.start({
        JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      }),
    ).rejects.toThrow(/RSA/);
  });
});

describe("loadAuthConfig", () => {
  const production = {
    NODE_ENV: "production",
    JWT_PRIVATE_KEY: "pem",
    ADMIN_EMAIL: "root@example.com",
    ADMIN_PASSWORD: "long-enough-secret",
    INTERNAL_TOKENS: "a-production-service-token",
  };

  it("treats a missing signing key in production as a configuration error", () => {
    const attempt = () => loadAuthConfig({ ...production, JWT_PRIVATE_KEY: undefined });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/JWT_PRIVATE_KEY/);
  });

  it("requires ADMIN_EMAIL and ADMIN_PASSWORD in production instead of using the local defaults", () => {
    expect(() =>
      loadAuthConfig({ ...production, ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined }),
    ).toThrow(/ADMIN_EMAIL.*ADMIN_PASSWORD/);
  });

  it("refuses in production the documented admin password and the local stack's key, naming each", () => {
    expect(() => loadAuthConfig({ ...production, ADMIN_PASSWORD: "change-me-admin-1" })).toThrow(
      /ADMIN_PASSWORD \(holds a documented development secret/,
    );
    expect(() =>
      loadAuthConfig({
        ...production,
        JWT_PRIVATE_KEY: undefined,
        JWT_PRIVATE_KEY_FILE: path.resolve(__dirname, "../../../.local/keys/auth-signing-key.pem"),
      }),
    ).toThrow(/JWT_PRIVATE_KEY_FILE \(holds a documented development secret/);
  });

  it("exits 78 with one line naming the variable when production starts on the default admin password", () => {
    const { code, stderrLines } = startupExit(path.resolve(__dirname, "../dist/main.js"), {
      ...production,
      ADMIN_PASSWORD: "change-me-admin-1",
    });

    expect(code).toBe(78);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(/^Invalid configuration: ADMIN_PASSWORD \(/);
  });

  it("refuses an ADMIN_PASSWORD that breaks the password policy", () => {
    expect(() => loadAuthConfig({ ADMIN_PASSWORD: "short" })).toThrow(/ADMIN_PASSWORD/);
  });

  it("uses the local admin and the documented defaults outside production", () => {
    const config = loadAuthConfig({});

    expect(config).toMatchObject({
      PORT: 3001,
      ADMIN_EMAIL: "admin@example.com",
      ADMIN_PASSWORD: "change-me-admin-1",
      BCRYPT_COST: 12,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      JWT_ISSUER: "product-ordering-auth",
      JWT_AUDIENCE: "product-ordering",
      LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT: 5,
      LOGIN_MAX_FAILURES_PER_CLIENT: 20,
      LOGIN_MAX_FAILURES_PER_EMAIL: 100,
      TRUST_PROXY: "loopback",
      LOGIN_THROTTLE_WINDOW_SECONDS: 900,
      REDIS_KEY_PREFIX: "auth:",
    });
    expect(config.KEYS_DIR).toBe(path.resolve(__dirname, "../../../.local/keys"));
  });

  it("names every bad variable at once", () => {
    expect(() => loadAuthConfig({ BCRYPT_COST: "3", PORT: "http" })).toThrow(
      /PORT.*BCRYPT_COST|BCRYPT_COST.*PORT/,
    );
  });
});
