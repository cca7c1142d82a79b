import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { createDatabaseIfMissing, dropDatabase, withDatabase } from "../database";
import { runMigrations } from "../migrations";
import type { Role } from "../auth";

export interface TestServers {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
}

/** The servers the global setup provided; fails loudly when a test runs without it. */
export function testServers(): TestServers {
  const { DATABASE_URL, REDIS_URL, KAFKA_BROKERS } = process.env;
  if (!DATABASE_URL || !REDIS_URL || !KAFKA_BROKERS) {
    throw new Error(
      "DATABASE_URL, REDIS_URL and KAFKA_BROKERS must be set (the jest global setup does it)",
    );
  }
  return { databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, kafkaBrokers: KAFKA_BROKERS.split(",") };
}

/** A short unique name for databases, topics, consumer groups and Redis prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`.replace(
    /[^A-Za-z0-9_]/g,
    "_",
  );
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database with the service's migrations applied; drop it in afterAll. */
export async function createTestDatabase(
  migrationsDir: string | null,
  prefix = "t",
): Promise<TestDatabase> {
  const name = uniqueName(prefix).slice(0, 64);
  const url = withDatabase(testServers().databaseUrl, name);
  if (migrationsDir) await runMigrations({ databaseUrl: url, dir: migrationsDir });
  else await createDatabaseIfMissing(url);
  return { url, name, drop: () => dropDatabase(url) };
}

/** Polls until `probe` returns a value other than undefined/false, or fails after the timeout. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${options.what ?? "condition"}${lastError ? `: ${String(lastError)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  publicKeyPem: string;
  tokenFor(user: { userId?: string; role?: Role }, options?: { expiresInSeconds?: number }): string;
  close(): Promise<void>;
}

/**
 * A real RS256 issuer serving its JWKS over HTTP, for services whose tests need signed-in
 * callers without running the auth service.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const server = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = "test-issuer";
  const audience = "product-ordering";
  return {
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    tokenFor(user, options = {}) {
      return jwt.sign({ role: user.role ?? "CUSTOMER" }, privateKey, {
        algorithm: "RS256",
        keyid: kid,
        issuer,
        audience,
        subject: user.userId ?? randomUUID(),
        jwtid: randomUUID(),
        expiresIn: options.expiresInSeconds ?? 900,
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { runMigrations };
export { call, type HttpResult } from "./http";
export { parsePrismaSchema, readPrismaSchema, type PrismaModel } from "./prismaSchema";
export { schemaDifferences } from "./schemaDifferences";
