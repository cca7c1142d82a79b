import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import mariadb from "mariadb";
import {
  createDatabaseIfMissing,
  parseDatabaseUrl,
  poolConfig,
  serverLockName,
  type Connection,
} from "../database";
import type { Logger } from "../logging";
import { splitStatements } from "./statements";
import { supersededEntry, type SupersededMigration } from "./superseded";

export { splitStatements, type SqlStatement } from "./statements";

export { SUPERSEDED_MIGRATIONS, type SupersededMigration } from "./superseded";

export class MigrationChecksumError extends Error {
  override name = "MigrationChecksumError";
}

export class MigrationLockTimeoutError extends Error {
  override name = "MigrationLockTimeoutError";
}

export interface MigrationOptions {
  databaseUrl: string;
  /** Folder of `NNNN_description.sql` files, applied in name order. */
  dir: string;
  logger?: Logger;
  /** Wait this long for another runner to finish before giving up. */
  lockTimeoutSeconds?: number;
  createDatabase?: boolean;
  /** Reviewed rewrites of applied files (tests pass their own). */
  superseded?: readonly SupersededMigration[];
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const FILE_PATTERN = /^\d{4,}_[a-z0-9_]+\.sql$/;

export function checksum(sql: string): string {
  // Line endings are normalised so a checkout on another OS does not look "edited".
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

export async function readMigrations(dir: string) {
  const names = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name), "utf8");
      return { version: name.replace(/\.sql$/, ""), sql, checksum: checksum(sql) };
    }),
  );
}

/**
 * Applies pending SQL migrations in order under a named database lock (GET_LOCK), so replicas
 * or Jobs starting together migrate once. Applied migrations are verified by checksum: an
 * edited one stops the run, because the database no longer matches what the file says.
 * MySQL commits each DDL statement on its own, so a file is run statement by statement and each
 * one is recorded in schema_migration_steps: a run that fails halfway leaves the file's
 * finished statements recorded, and the next run (with the failing statement fixed) goes on
 * from there. Only a crash between a statement and its record repeats that one statement.
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationResult> {
  if (options.createDatabase ?? true) await createDatabaseIfMissing(options.databaseUrl);
  const migrations = await readMigrations(options.dir);
  const { database } = parseDatabaseUrl(options.databaseUrl);
  const conn = await mariadb.createConnection(poolConfig(options.databaseUrl));
  const lockName = serverLockName(`migrations:${database}`);
  try {
    const [lock] = await conn.query("SELECT GET_LOCK(?, ?) AS got", [
      lockName,
      options.lockTimeoutSeconds ?? 60,
    ]);
    if (Number(lock.got) !== 1)
      throw new MigrationLockTimeoutError(`could not take lock ${lockName}`);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version VARCHAR(255) NOT NULL PRIMARY KEY,
        checksum CHAR(64) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        execution_ms INT NOT NULL
      )`);
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migration_steps (
        version VARCHAR(255) NOT NULL,
        step INT NOT NULL,
        checksum CHAR(64) NOT NULL,
        PRIMARY KEY (version, step)
      )`);
      const rows: { version: string; checksum: string }[] = await conn.query(
        "SELECT version, checksum FROM schema_migrations",
      );
      const applied = new Map(rows.map((r) => [r.version, r.checksum]));
      for (const m of migrations) {
        const recorded = applied.get(m.version);
        if (recorded === undefined || recorded === m.checksum) continue;
        const entry = supersededEntry(m.version, recorded, m.checksum, options.superseded);
        if (entry) {
          await conn.query("UPDATE schema_migrations SET checksum = ? WHERE version = ?", [
            m.checksum,
            m.version,
          ]);
          options.logger?.info("superseded migration checksum accepted", {
            version: m.version,
            why: entry.why,
          });
          applied.set(m.version, m.checksum);
        } else {
          throw new MigrationChecksumError(
            `migration ${m.version} was edited after it was applied (checksum ${recorded.slice(0, 12)} != ${m.checksum.slice(0, 12)})`,
          );
        }
      }
      const known = new Set(migrations.map((m) => m.version));
      for (const version of applied.keys()) {
        if (!known.has(version))
          options.logger?.warn("database has a migration this build does not know", { version });
      }
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        const started = Date.now();
        await applyStatements(conn, m.version, m.sql);
        await conn.beginTransaction();
        await conn.query(
          "INSERT INTO schema_migrations (version, checksum, execution_ms) VALUES (?, ?, ?)",
          [m.version, m.checksum, Date.now() - started],
        );
        await conn.query("DELETE FROM schema_migration_steps WHERE version = ?", [m.version]);
        await conn.commit();
        options.logger?.info("migration applied", {
          version: m.version,
          durationMs: Date.now() - started,
        });
        done.push(m.version);
      }
      return { applied: done, alreadyApplied: migrations.length - done.length };
    } finally {
      await conn.query("SELECT RELEASE_LOCK(?)", [lockName]);
    }
  } finally {
    await conn.end();
  }
}

/** Runs the statements of one file the last run did not finish, recording each as it lands. */
async function applyStatements(conn: Connection, version: string, sql: string): Promise<void> {
  const statements = splitStatements(sql);
  const steps: { step: number; checksum: string }[] = await conn.query(
    "SELECT step, checksum FROM schema_migration_steps WHERE version = ?",
    [version],
  );
  const finished = new Set<number>();
  for (const { step, checksum: recorded } of steps) {
    const statement = statements[step];
    if (!statement || checksum(statement.sql) !== recorded) {
      throw new MigrationChecksumError(
        `migration ${version} statement ${step + 1} was edited after it was applied`,
      );
    }
    finished.add(step);
  }
  for (const [step, statement] of statements.entries()) {
    if (finished.has(step)) continue;
    await conn.query(statement.sql);
    await conn.query(
      "INSERT INTO schema_migration_steps (version, step, checksum) VALUES (?, ?, ?)",
      [version, step, checksum(statement.sql)],
    );
  }
}
