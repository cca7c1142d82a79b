import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import mariadb, { type Pool, type PoolConfig } from "mariadb";
import { traceAdapter, tracePool } from "./tracedSql";
import { parseDatabaseUrlOptions, type DatabaseUrlOptions } from "./urlOptions";

export {
  DATABASE_URL_PARAMETERS,
  DatabaseUrlError,
  parseDatabaseUrlOptions,
  type DatabaseUrlOptions,
  type DriverTls,
} from "./urlOptions";

export interface DatabaseLocation {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** What the query string sets on the driver (TLS, key exchange, timeouts, pool size). */
  options: DatabaseUrlOptions;
}

/**
 * Accepts `mysql://` and `mariadb://` URLs (the same wire protocol). The query string is read
 * by parseDatabaseUrlOptions: an unknown parameter throws, so a typo never goes unnoticed.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  const u = new URL(url);
  if (u.protocol !== "mysql:" && u.protocol !== "mariadb:") {
    throw new Error(`DATABASE_URL must start with mysql:// or mariadb://, got ${u.protocol}`);
  }
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")),
    options: parseDatabaseUrlOptions(u.searchParams),
  };
}

/** The same server with another database name (tests give each file its own). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface PoolOptions {
  connectionLimit?: number;
  multipleStatements?: boolean;
  /** Omit the database (to create it first). */
  noDatabase?: boolean;
  /** `innodb_lock_wait_timeout` of every connection: how long a statement waits for a row lock. */
  lockWaitSeconds?: number;
  /**
   * false: a batch goes as one statement per row, pipelined, as the driver sends it to MySQL
   * (MariaDB gets one bulk command); tests run that path here.
   */
  bulk?: boolean;
}

/** The driver settings for `url`; what its query string sets wins over the code's defaults. */
export function poolConfig(url: string, options: PoolOptions = {}): PoolConfig {
  const loc = parseDatabaseUrl(url);
  const fromUrl = loc.options;
  return {
    host: loc.host,
    port: loc.port,
    user: loc.user,
    password: loc.password,
    database: options.noDatabase ? undefined : loc.database,
    connectionLimit: fromUrl.connectionLimit ?? options.connectionLimit ?? 10,
    multipleStatements: options.multipleStatements ?? false,
    acquireTimeout: fromUrl.acquireTimeout ?? 10_000,
    connectTimeout: fromUrl.connectTimeout ?? 5_000,
    ssl: fromUrl.ssl,
    allowPublicKeyRetrieval: fromUrl.allowPublicKeyRetrieval ?? false,
    cachingRsaPublicKey: fromUrl.cachingRsaPublicKey,
    // DATETIME columns hold UTC; the session agrees so NOW() and JS dates line up.
    timezone: "Z",
    initSql: [
      "SET time_zone = '+00:00'",
      ...(options.lockWaitSeconds === undefined
        ? []
        : [
            `SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.trunc(options.lockWaitSeconds))}`,
          ]),
    ],
    bigIntAsNumber: true,
    insertIdAsNumber: true,
    decimalAsNumber: false,
    bulk: options.bulk ?? true,
  };
}

/**
 * Prisma 7's driver adapter: no engine binary, the mariadb driver speaks to MySQL or MariaDB.
 * Text protocol: the adapter's default binary protocol prepares, executes and closes every
 * statement (its prepare cache is off), three packets and two round trips where the text
 * protocol sends one; the driver escapes the values itself.
 */
export function createPrismaAdapter(url: string, options: PoolOptions = {}): PrismaMariaDb {
  return traceAdapter(new PrismaMariaDb(poolConfig(url, options), { useTextProtocol: true }));
}

/** A service's generated PrismaClient on the shared adapter, with `poolSize` connections. */
export function createPrismaClient<C>(
  PrismaClient: new (options: { adapter: PrismaMariaDb }) => C,
  databaseUrl: string,
  poolSize: number,
): C {
  return new PrismaClient({
    adapter: createPrismaAdapter(databaseUrl, { connectionLimit: poolSize }),
  });
}

/** A plain driver pool for the SQL that matters to correctness and to workers. */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  return tracePool(mariadb.createPool(poolConfig(url, options)));
}

/** Names safe to splice into CREATE / DROP DATABASE (identifiers cannot be bound). */
export const SAFE_DB_NAME = /^[A-Za-z0-9_]{1,64}$/;

export async function createDatabaseIfMissing(url: string): Promise<void> {
  const { database } = parseDatabaseUrl(url);
  if (!SAFE_DB_NAME.test(database)) throw new Error(`unsafe database name: ${database}`);
  const conn = await mariadb.createConnection({ ...poolConfig(url, { noDatabase: true }) });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export type { Connection, Pool, PoolConnection } from "mariadb";
export { MAX_LOCK_NAME_LENGTH, serverLockName } from "./lockName";
export {
  inTransaction,
  rollBack,
  transactionOn,
  type RolledBack,
  type TransactionOptions,
} from "./transaction";
export {
  ER_CHECK_CONSTRAINT_VIOLATED,
  ER_CONSTRAINT_FAILED,
  ER_DUP_ENTRY,
  isCheckViolation,
  isDuplicateKey,
  isRetryableLockError,
} from "./sqlErrors";
