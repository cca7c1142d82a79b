import { spawn } from "node:child_process";
import path from "node:path";
import { PassThrough } from "node:stream";
import { createLogger, createPool, type Logger, type Pool } from "@app/shared";
import { createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { loadArchiverConfig, type ArchiverConfig } from "../src/config";

export const ORDER_MIGRATIONS = path.join(__dirname, "../../order/migrations");
const MAIN = path.join(__dirname, "../src/main.ts");

export interface ArchiveDatabase extends TestDatabase {
  pool: Pool;
  close(): Promise<void>;
}

/** A database with the order service's tables, which the archiver works on. */
export async function createArchiveDatabase(): Promise<ArchiveDatabase> {
  const db = await createTestDatabase(ORDER_MIGRATIONS, "arch");
  const pool = createPool(db.url, { connectionLimit: 4 });
  return {
    ...db,
    pool,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

/**
 * The archive database of one test file: created before its tests, closed after them, and with
 * `emptyEachTest` emptied before each. Read its fields in tests and hooks, not at load time.
 */
export function archiveDatabaseForFile(options: { emptyEachTest: boolean }): ArchiveDatabase {
  let db: ArchiveDatabase | undefined;
  beforeAll(async () => {
    db = await createArchiveDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  if (options.emptyEachTest) beforeEach(() => emptyTables(db!.pool));
  return new Proxy({} as ArchiveDatabase, {
    get(_target, field) {
      if (!db) throw new Error("the archive database is created in beforeAll: read it from a test");
      return Reflect.get(db, field);
    },
  });
}

export async function emptyTables(pool: Pool): Promise<void> {
  for (const table of ["order_items", "orders", "order_items_archive", "orders_archive"]) {
    await pool.query(`DELETE FROM ${table}`);
  }
}

export function configFor(
  databaseUrl: string,
  overrides: Record<string, string> = {},
): ArchiverConfig {
  return loadArchiverConfig({ DATABASE_URL: databaseUrl, ARCHIVE_PAUSE_MS: "0", ...overrides });
}

export interface CapturedLogger {
  logger: Logger;
  lines(): Record<string, unknown>[];
}

/** A real logger whose JSON lines the test reads back. */
export function capturedLogger(): CapturedLogger {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return {
    logger: createLogger({ service: "archiver", level: "debug", stream }),
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnedArchiver {
  /** Resolves with the parsed stderr log line once `predicate` matches `count` of them. */
  waitForLogs(predicate: (line: Record<string, unknown>) => boolean, count: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<ChildRun>;
}

/** The real entry point as a child process, as the CronJob runs it. */
export function spawnArchiver(args: string[], env: Record<string, string>): SpawnedArchiver {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: path.join(__dirname, ".."),
    env: { ...process.env, LOG_LEVEL: "info", ARCHIVE_PAUSE_MS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: Array<() => void> = [];
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    watchers.forEach((w) => w());
  });
  const done = new Promise<ChildRun>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    done,
    kill: (signal) => child.kill(signal),
    waitForLogs: (predicate, count) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (jsonLines(stderr).filter(predicate).length >= count) resolve();
        };
        watchers.push(check);
        check();
        void done.then(() =>
          reject(new Error(`archiver exited before ${count} matching log lines:\n${stderr}`)),
        );
      }),
  };
}

export async function runArchiverProcess(
  args: string[],
  env: Record<string, string>,
): Promise<ChildRun> {
  return spawnArchiver(args, env).done;
}

/** Parses the JSON lines of a stream, skipping any non-JSON noise. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function count(pool: Pool, table: string): Promise<number> {
  const rows: { n: number }[] = await pool.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

/** Every column of a live table, so that "field for field" also covers a column added later. */
async function liveColumns(pool: Pool, table: "orders" | "order_items"): Promise<string> {
  const rows: { name: string }[] = await pool.query(
    "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    [table],
  );
  return rows.map((r) => `\`${r.name}\``).join(", ");
}

/** The rows of `orders` or its archive, with every column `orders` has (archived_at left out). */
export async function orderRows(
  pool: Pool,
  table: "orders" | "orders_archive",
): Promise<Record<string, unknown>[]> {
  return pool.query(`SELECT ${await liveColumns(pool, "orders")} FROM ${table} ORDER BY id`);
}

/** The rows of `order_items` or its archive, with every column `order_items` has. */
export async function itemRows(
  pool: Pool,
  table: "order_items" | "order_items_archive",
): Promise<Record<string, unknown>[]> {
  return pool.query(`SELECT ${await liveColumns(pool, "order_items")} FROM ${table} ORDER BY id`);
}

/** The transaction of a connection to `database` that waits for a row lock, if there is one. */
export async function transactionWaitingForALock(
  pool: Pool,
  database: string,
): Promise<{ rowsModified: number } | undefined> {
  const rows: { rows_modified: number }[] = await pool.query(
    `SELECT t.trx_rows_modified AS rows_modified FROM information_schema.innodb_trx t
       JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
     WHERE t.trx_state = 'LOCK WAIT' AND p.db = ?`,
    [database],
  );
  return rows[0] ? { rowsModified: Number(rows[0].rows_modified) } : undefined;
}

/** How many transactions connections to `database` have open. */
export async function openTransactions(pool: Pool, database: string): Promise<number> {
  const rows: { n: number }[] = await pool.query(
    `SELECT COUNT(*) AS n FROM information_schema.innodb_trx t
       JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
     WHERE p.db = ?`,
    [database],
  );
  return Number(rows[0]!.n);
}

/** True once some connection to this test's database is blocked on a row lock. */
export async function someoneWaitsForALock(pool: Pool, database: string): Promise<boolean> {
  const rows: { n: number }[] = await pool.query(
    `SELECT COUNT(*) AS n FROM information_schema.innodb_trx t
       JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
     WHERE t.trx_state = 'LOCK WAIT' AND p.db = ?`,
    [database],
  );
  return Number(rows[0]!.n) > 0;
}
