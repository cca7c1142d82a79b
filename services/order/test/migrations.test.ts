import { copyFile, mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { checksum, runMigrations, type Pool } from "@app/shared";
import { scratchDatabase } from "@app/shared/testing";
import { ORDER_MIGRATIONS_DIR } from "../src/main";

// The 0003 file as installs before the MySQL fix applied it (MariaDB only: IF NOT EXISTS).
const OLD_0003 = path.join(__dirname, "fixtures/0003_orders_archive_reservation.old.sql");
const VERSION_0003 = "0003_orders_archive_reservation";

async function recorded(pool: Pool): Promise<Record<string, string>> {
  const rows: { version: string; checksum: string }[] = await pool.query(
    "SELECT version, checksum FROM schema_migrations ORDER BY version",
  );
  return Object.fromEntries(rows.map((r) => [r.version, r.checksum]));
}

async function archiveIndexColumns(pool: Pool): Promise<string[]> {
  const rows: { column_name: string }[] = await pool.query(
    `SELECT COLUMN_NAME AS column_name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders_archive'
        AND INDEX_NAME = 'ix_orders_archive_reservation' ORDER BY SEQ_IN_INDEX`,
  );
  return rows.map((r) => r.column_name);
}

/** The order migrations up to 0002, plus 0003 as the old file had it. */
async function migrationsWithOld0003(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "order-old-0003-"));
  for (const name of await readdir(ORDER_MIGRATIONS_DIR)) {
    if (name.endsWith(".sql") && name < "0003")
      await copyFile(path.join(ORDER_MIGRATIONS_DIR, name), path.join(dir, name));
  }
  await copyFile(OLD_0003, path.join(dir, `${VERSION_0003}.sql`));
  return dir;
}

describe("order migrations", () => {
  const scratch = scratchDatabase("ordmig", "each");

  it("migrates a fresh database and create the archive's reservation index", async () => {
    const result = await runMigrations({ databaseUrl: scratch.db.url, dir: ORDER_MIGRATIONS_DIR });
    expect(result.applied).toContain(VERSION_0003);
    expect(await archiveIndexColumns(scratch.pool)).toEqual(["reservation_id"]);
    const current = checksum(
      await readFile(path.join(ORDER_MIGRATIONS_DIR, `${VERSION_0003}.sql`), "utf8"),
    );
    expect((await recorded(scratch.pool))[VERSION_0003]).toBe(current);
  });

  it("migrates on from a database that applied the old 0003 file", async () => {
    const oldSql = await readFile(OLD_0003, "utf8");
    const [{ version }] = await scratch.pool.query("SELECT VERSION() AS version");
    if (/mariadb/i.test(version)) {
      // The real old file, applied the way old installs applied it.
      await runMigrations({ databaseUrl: scratch.db.url, dir: await migrationsWithOld0003() });
    } else {
      // MySQL rejects the old file, so no MySQL install has it applied; build the state an old
      // MariaDB install has: the same index, the old checksum recorded.
      await runMigrations({ databaseUrl: scratch.db.url, dir: ORDER_MIGRATIONS_DIR });
      await scratch.pool.query("UPDATE schema_migrations SET checksum = ? WHERE version = ?", [
        checksum(oldSql),
        VERSION_0003,
      ]);
    }
    expect((await recorded(scratch.pool))[VERSION_0003]).toBe(checksum(oldSql));

    const result = await runMigrations({ databaseUrl: scratch.db.url, dir: ORDER_MIGRATIONS_DIR });

    expect(result.applied).not.toContain(VERSION_0003);
    expect(await archiveIndexColumns(scratch.pool)).toEqual(["reservation_id"]);
    const current = checksum(
      await readFile(path.join(ORDER_MIGRATIONS_DIR, `${VERSION_0003}.sql`), "utf8"),
    );
    expect((await recorded(scratch.pool))[VERSION_0003]).toBe(current);
  });

  it("keeps idempotency responses as text: LONGTEXT, no JSON type or JSON check (MySQL reorders JSON keys)", async () => {
    await runMigrations({ databaseUrl: scratch.db.url, dir: ORDER_MIGRATIONS_DIR });
    const [column] = await scratch.pool.query(
      `SELECT DATA_TYPE AS type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'idempotency_keys' AND COLUMN_NAME = 'response_body'`,
    );
    expect(column.type).toBe("longtext");
    // MariaDB's JSON is LONGTEXT plus a json_valid check; MySQL's JSON is its own type.
    const checks: { clause: string }[] = await scratch.pool.query(
      `SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = DATABASE()`,
    );
    expect(checks.filter((c) => /response_body/.test(c.clause))).toEqual([]);
  });
});
