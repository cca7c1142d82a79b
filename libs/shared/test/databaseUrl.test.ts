import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { z } from "zod";
import {
  ConfigError,
  createPool,
  createPrismaAdapter,
  DatabaseUrlError,
  env,
  loadConfig,
  poolConfig,
} from "../src";
import { testServers } from "../src/testing";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";
const RSA_PEM = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .publicKey.export({ format: "pem", type: "spki" })
  .toString();

function withQuery(url: string, query: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

describe("DATABASE_URL query parameters", () => {
  let caFile: string;
  let keyFile: string;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "db-url-"));
    caFile = path.join(dir, "ca.pem");
    keyFile = path.join(dir, "server-public-key.pem");
    await writeFile(caFile, CA_PEM);
    await writeFile(keyFile, RSA_PEM);
  });

  it("reach the driver settings: TLS with a CA file, key retrieval, RSA key, timeouts, pool size", () => {
    const url = `mysql://app:secret@db.example:3306/orders?ssl=true&sslca=${encodeURIComponent(caFile)}&allowPublicKeyRetrieval=true&cachingRsaPublicKey=${encodeURIComponent(keyFile)}&connectTimeout=2500&connectionLimit=3&acquireTimeout=700`;
    const config = poolConfig(url, { connectionLimit: 10 });
    expect(config).toMatchObject({
      host: "db.example",
      user: "app",
      database: "orders",
      ssl: { ca: CA_PEM, rejectUnauthorized: true },
      allowPublicKeyRetrieval: true,
      cachingRsaPublicKey: RSA_PEM,
      connectTimeout: 2500,
      connectionLimit: 3,
      acquireTimeout: 700,
    });
    expect((config.ssl as { checkServerIdentity?: unknown }).checkServerIdentity).toBeUndefined();
  });

  it("maps sslmode: required encrypts without verifying, verify_ca skips the host name only", () => {
    const base = "mysql://app@db.example/orders";
    expect(poolConfig(`${base}?sslmode=REQUIRED`).ssl).toEqual({ rejectUnauthorized: false });
    const verifyCa = poolConfig(`${base}?sslmode=verify_ca&sslca=${encodeURIComponent(CA_PEM)}`)
      .ssl as { ca: string; rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(verifyCa.ca).toBe(CA_PEM);
    expect(verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(poolConfig(`${base}?sslmode=verify-full`).ssl).toEqual({ rejectUnauthorized: true });
    expect(poolConfig(`${base}?sslmode=disabled`).ssl).toBeUndefined();
    expect(poolConfig(base)).toMatchObject({ ssl: undefined, allowPublicKeyRetrieval: false });
  });

  it.each([
    ["?sslmod=required&pool=3", /unknown parameters: sslmod, pool \(known: ssl, sslmode/],
    ["?ssl=yes", /ssl=yes must be true or false/],
    ["?sslmode=prefer", /sslmode=prefer is not one of/],
    ["?ssl=true&sslmode=required", /both ssl and sslmode/],
    ["?sslca=/nonexistent/ca.pem&ssl=true", /sslca: cannot read \/nonexistent\/ca\.pem/],
    ["?sslca=/tmp/ca.pem", /sslca without ssl=true/],
    ["?connectionLimit=0", /connectionLimit=0 must be a positive integer/],
  ])("refuse %s with a clear error", (query, message) => {
    expect(() => poolConfig(`mysql://app@db.example/orders${query}`)).toThrow(DatabaseUrlError);
    expect(() => poolConfig(`mysql://app@db.example/orders${query}`)).toThrow(message);
  });

  it("stop a service at start-up: the config names DATABASE_URL and the unknown parameter", () => {
    const schema = z.object({ DATABASE_URL: env.databaseUrl("mysql://root@127.0.0.1/x") });
    expect(() =>
      loadConfig(schema, { DATABASE_URL: "mysql://root@127.0.0.1/x?sslMode=required" }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig(schema, { DATABASE_URL: "mysql://root@127.0.0.1/x?sslMode=required" }),
    ).toThrow(/DATABASE_URL \(DATABASE_URL has unknown parameters: sslMode/);
    expect(
      loadConfig(schema, { DATABASE_URL: "mysql://root@127.0.0.1/x?allowPublicKeyRetrieval=true" }),
    ).toEqual({ DATABASE_URL: "mysql://root@127.0.0.1/x?allowPublicKeyRetrieval=true" });
  });
});

describe("DATABASE_URL parameters on a real server (MariaDB here, no TLS configured)", () => {
  const url = () => testServers().databaseUrl;

  it("both the raw pool and the Prisma adapter connect with ?allowPublicKeyRetrieval=true", async () => {
    const withKey = withQuery(url(), { allowPublicKeyRetrieval: "true", connectTimeout: "5000" });
    const pool = createPool(withKey, { connectionLimit: 1 });
    const adapter = await createPrismaAdapter(withKey, { connectionLimit: 1 }).connect();
    try {
      expect(await pool.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      const result = await adapter.queryRaw({ sql: "SELECT 1 AS one", args: [], argTypes: [] });
      expect(result.rows).toEqual([[1]]);
    } finally {
      await pool.end();
      await adapter.dispose();
    }
  });

  it("the Prisma adapter sends each statement as one query, never prepare + execute + close", async () => {
    const adapter = await createPrismaAdapter(url(), { connectionLimit: 1 }).connect();
    // One connection: the session counters below are those of the connection the queries use.
    const prepares = async () => {
      const result = await adapter.queryRaw({
        // dialect-gate-ignore: node-sql-parser's grammar has no SHOW SESSION STATUS; both servers do
        sql: "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'",
        args: [],
        argTypes: [],
      });
      return Number(result.rows[0]![1]);
    };
    try {
      const before = await prepares();
      for (const value of ["a", "b", "c"]) {
        const result = await adapter.queryRaw({
          sql: "SELECT ? AS v",
          args: [value],
          argTypes: [{ scalarType: "string", arity: "scalar" }],
        });
        expect(result.rows).toEqual([[value]]);
      }
      expect(await prepares()).toBe(before);
    } finally {
      await adapter.dispose();
    }
  });

  it("both refuse to go on without TLS when the URL requires it", async () => {
    const tls = withQuery(url(), { sslmode: "required", acquireTimeout: "3000" });
    const pool = createPool(tls, { connectionLimit: 1 });
    try {
      // The pool answers with its timeout; why no connection could be made is the cause.
      const error: Error = await pool.query("SELECT 1").catch((e: Error) => e);
      expect(String((error.cause as Error | undefined)?.message)).toMatch(/SSL|TLS/i);
    } finally {
      await pool.end();
    }
    const adapter = await createPrismaAdapter(tls, { connectionLimit: 1 }).connect();
    try {
      const error = await adapter.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] }).then(
        () => "connected without TLS",
        (e: unknown) => e,
      );
      // Prisma wraps the driver's error; its cause holds why no connection could be made.
      expect(inspect(error, { depth: 6 })).toMatch(/SSL|TLS/i);
    } finally {
      await adapter.dispose();
    }
  });

  it("both take their pool size and acquire timeout from the URL", async () => {
    const small = withQuery(url(), { connectionLimit: "1", acquireTimeout: "300" });
    const pool = createPool(small, { connectionLimit: 10 });
    const adapter = await createPrismaAdapter(small, { connectionLimit: 10 }).connect();
    try {
      const held = await pool.getConnection();
      await expect(pool.getConnection()).rejects.toThrow(/timeout/i);
      await held.release();

      const transaction = await adapter.startTransaction();
      await expect(adapter.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] })).rejects.toThrow(
        /timeout/i,
      );
      await transaction.rollback();
    } finally {
      await pool.end();
      await adapter.dispose();
    }
  });
});
