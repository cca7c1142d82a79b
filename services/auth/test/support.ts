import { generateKeyPairSync } from "node:crypto";
import path from "node:path";
import { createLogger, createPool, type Pool } from "@app/shared";
import {
  createTestDatabase,
  testServers,
  uniqueName,
  type TestDatabase,
} from "@app/shared/testing";
import { Redis } from "ioredis";
import { loadAuthConfig, startAuth, type AuthConfig, type RunningAuth } from "../src/main";

export const MIGRATIONS = path.join(__dirname, "../migrations");

export function aKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}

export type KeyPair = ReturnType<typeof aKeyPair>;

/** What one test file owns: its database, its Redis prefix and its signing key. */
export interface AuthTestEnv {
  db: TestDatabase;
  pool: Pool;
  keys: KeyPair;
  redisPrefix: string;
  /** A config for this file's database; each call may override any variable. */
  config(env?: Record<string, string>): AuthConfig;
  start(env?: Record<string, string>): Promise<RunningAuth>;
  cleanup(): Promise<void>;
}

const quietLogger = () => createLogger({ service: "auth", silent: true });

export async function authTestEnv(): Promise<AuthTestEnv> {
  const db = await createTestDatabase(MIGRATIONS, "auth");
  const pool = createPool(db.url, { connectionLimit: 2 });
  const keys = aKeyPair();
  const redisPrefix = `${uniqueName("auth")}:`;
  const running: RunningAuth[] = [];
  const config = (env: Record<string, string> = {}) =>
    loadAuthConfig({
      NODE_ENV: "test",
      PORT: "0",
      DATABASE_URL: db.url,
      MIGRATE_ON_START: "false",
      REDIS_URL: testServers().redisUrl,
      REDIS_KEY_PREFIX: redisPrefix,
      JWT_PRIVATE_KEY: keys.privatePem,
      BCRYPT_COST: "4",
      ADMIN_EMAIL: "admin@example.com",
      ADMIN_PASSWORD: "change-me-admin-1",
      // Every test file registers its users from one address; the limits have their own tests.
      REGISTER_MAX_PER_CLIENT: "10000",
      REGISTER_HASHING_MAX_IN_FLIGHT: "100",
      ...env,
    });
  return {
    db,
    pool,
    keys,
    redisPrefix,
    config,
    async start(env) {
      const service = await startAuth(config(env), { logger: quietLogger() });
      running.push(service);
      return service;
    },
    async cleanup() {
      await Promise.all(running.map((s) => s.close()));
      await pool.end();
      await db.drop();
      await deleteRedisKeys(redisPrefix);
    },
  };
}

/** The auth service one test file runs against; both fields are set once its `beforeAll` ran. */
export interface AuthForFile {
  env: AuthTestEnv;
  auth: RunningAuth;
}

/**
 * Starts one auth service for the calling test file before its tests and removes its database,
 * Redis keys and every service it started after them.
 */
export function authServiceForFile(env?: Record<string, string>): AuthForFile {
  const running = {} as AuthForFile;
  beforeAll(async () => {
    running.env = await authTestEnv();
    running.auth = await running.env.start(env);
  });
  afterAll(() => running.env.cleanup());
  return running;
}

/** The user as GET /me and the internal lookup show it. */
export const userView = (user: { userId: string; email: string; name: string }) => ({
  id: user.userId,
  email: user.email,
  name: user.name,
  role: "CUSTOMER",
  createdAt: expect.any(String),
});

/** Sends `rawBody` (not JSON) to a POST route and checks the 400 MALFORMED_JSON answer. */
export async function expectMalformedJsonRefused(baseUrl: string, route: string, rawBody: string) {
  const res = await call(baseUrl, "POST", route, { rawBody });

  expect(res.status).toBe(400);
  expect(res.body.code).toBe("MALFORMED_JSON");
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testServers().redisUrl);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

let counter = 0;
/** A distinct valid registration body each call. */
export function aRegistration(
  overrides: Partial<{ email: string; password: string; name: string }> = {},
) {
  counter += 1;
  return {
    email: `user${counter}.${Date.now().toString(36)}@example.com`,
    password: "correct horse battery",
    name: "Ann Example",
    ...overrides,
  };
}

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A client that never throws on a status: the test judges every answer. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: "GET" | "POST",
  route: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...(hasBody ? { "content-type": "application/json" } : {}), ...options.headers },
    body:
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : null) as T,
  };
}

export const post = <T = Record<string, unknown>>(
  baseUrl: string,
  route: string,
  body: unknown,
  headers?: Record<string, string>,
) => call<T>(baseUrl, "POST", route, { body, headers });

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

/** Registers a new customer and logs in; returns the user and its first token pair. */
export async function aSignedInUser(
  baseUrl: string,
  overrides: Partial<{ email: string; password: string }> = {},
) {
  const registration = aRegistration(overrides);
  const registered = await post<{ id: string }>(baseUrl, "/api/v1/auth/register", registration);
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`);
  const login = await post<TokenPair>(baseUrl, "/api/v1/auth/login", {
    email: registration.email,
    password: registration.password,
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return { userId: registered.body.id, ...registration, tokens: login.body };
}
