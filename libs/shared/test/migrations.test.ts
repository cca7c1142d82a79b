import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import mariadb from "mariadb";
import { MigrationChecksumError, poolConfig, runMigrations } from "../src";
import { createTestDatabase, type TestDatabase } from "../src/testing";

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "migrations-"));
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const conn = await mariadb.createConnection(poolConfig(url));
  try {
    return await conn.query(sql);
  } finally {
    await conn.end();
  }
}

describe("migration runner", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(null, "mig");
  });
  afterEach(async () => {
    await db.drop();
  });

  test("applies files in name order once and records each with its checksum", async () => {
    const dir = await migrationsDir({
      "0002_add_price.sql": "ALTER TABLE things ADD COLUMN price INT NOT NULL DEFAULT 0;",
      "0001_create_things.sql":
        "CREATE TABLE things (id INT PRIMARY KEY);\nINSERT INTO things (id) VALUES (1);",
      "README.md": "not a migration",
    });
    const first = await runMigrations({ databaseUrl: db.url, dir });
    expect(first.applied).toEqual(["0001_create_things", "0002_add_price"]);
    const second = await runMigrations({ databaseUrl: db.url, dir });
    expect(second).toEqual({ applied: [], alreadyApplied: 2 });
    const rows = await query<{ version: string; checksum: string }>(
      db.url,
      "SELECT version, checksum FROM schema_migrations ORDER BY version",
    );
    expect(rows.map((r) => r.version)).toEqual(["0001_create_things", "0002_add_price"]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    expect(await query(db.url, "SELECT id, price FROM things")).toEqual([{ id: 1, price: 0 }]);
  });

  test("refuses to run when an applied migration was edited", async () => {
    const dir = await migrationsDir({
      "0001_create_things.sql": "CREATE TABLE things (id INT PRIMARY KEY);",
    });
    await runMigrations({ databaseUrl: db.url, dir });
    await writeFile(
      path.join(dir, "0001_create_things.sql"),
      "CREATE TABLE things (id BIGINT PRIMARY KEY);",
    );
    await writeFile(
      path.join(dir, "0002_more.sql"),
      "CREATE TABLE more_things (id INT PRIMARY KEY);",
    );
    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow(
      MigrationChecksumError,
    );
    const tables = await query<{ n: number }>(
      db.url,
      "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'more_things'",
    );
    expect(Number(tables[0]!.n)).toBe(0);
  });

  test("two runners started together migrate once", async () => {
    const dir = await migrationsDir({
      "0001_create_things.sql": "CREATE TABLE things (id INT PRIMARY KEY);",
      // Slow enough that the second runner really arrives while the first holds the lock.
      "0002_slow.sql": "DO SLEEP(0.5); CREATE TABLE slow_things (id INT PRIMARY KEY);",
    });
    const [a, b] = await Promise.all([
      runMigrations({ databaseUrl: db.url, dir }),
      runMigrations({ databaseUrl: db.url, dir }),
    ]);
    expect([...a.applied, ...b.applied].sort()).toEqual(["0001_create_things", "0002_slow"]);
    expect([a.applied.length, b.applied.length].sort()).toEqual([0, 2]);
    const rows = await query<{ n: number }>(db.url, "SELECT COUNT(*) AS n FROM schema_migrations");
    expect(Number(rows[0]!.n)).toBe(2);
  });

  test("a failing migration stops the run and is not recorded", async () => {
    const dir = await migrationsDir({
      "0001_ok.sql": "CREATE TABLE ok_things (id INT PRIMARY KEY);",
      "0002_broken.sql": "CREATE TABLE broken (id INT PRIMARY KEY,);",
    });
    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow();
    const rows = await query<{ version: string }>(db.url, "SELECT version FROM schema_migrations");
    expect(rows.map((r) => r.version)).toEqual(["0001_ok"]);
  });
});
