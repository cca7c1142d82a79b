import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import mariadb from "mariadb";
import { createDatabaseIfMissing, parseDatabaseUrl, poolConfig } from "../database";
import type { Logger } from "../logging";

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
 * MySQL commits DDL implicitly, so each file should be one logical, re-runnable-safe change.
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationResult> {
  if (options.createDatabase ?? true) await createDatabaseIfMissing(options.databaseUrl);
  const migrations = await readMigrations(options.dir);
  const { database } = parseDatabaseUrl(options.databaseUrl);
  const conn = await mariadb.createConnection({
    ...poolConfig(options.databaseUrl, { multipleStatements: true }),
  });
  const lockName = `migrations:${database}`;
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
      const rows: { version: string; checksum: string }[] = await conn.query(
        "SELECT version, checksum FROM schema_migrations",
      );
      const applied = new Map(rows.map((r) => [r.version, r.checksum]));
      for (const m of migrations) {
        const recorded = applied.get(m.version);
        if (recorded !== undefined && recorded !== m.checksum) {
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
        await conn.query(m.sql);
        await conn.query(
          "INSERT INTO schema_migrations (version, checksum, execution_ms) VALUES (?, ?, ?)",
          [m.version, m.checksum, Date.now() - started],
        );
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
