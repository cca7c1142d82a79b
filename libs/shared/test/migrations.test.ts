import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import mariadb from "mariadb";
import { checksum, MigrationChecksumError, poolConfig, runMigrations } from "../src";
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

  test("accepts a reviewed superseded checksum, records the new one, and refuses other edits", async () => {
    const oldSql = "CREATE TABLE things (id INT PRIMARY KEY);";
    const newSql = "-- same table, reworded\nCREATE TABLE things (id INT PRIMARY KEY);";
    const dir = await migrationsDir({ "0001_create_things.sql": oldSql });
    await runMigrations({ databaseUrl: db.url, dir });
    const superseded = [
      {
        version: "0001_create_things",
        replaced: checksum(oldSql),
        by: checksum(newSql),
        why: "test",
      },
    ];

    await writeFile(path.join(dir, "0001_create_things.sql"), newSql);
    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow(
      MigrationChecksumError,
    );
    expect(await runMigrations({ databaseUrl: db.url, dir, superseded })).toEqual({
      applied: [],
      alreadyApplied: 1,
    });
    expect(await query(db.url, "SELECT checksum FROM schema_migrations")).toEqual([
      { checksum: checksum(newSql) },
    ]);

    // The entry covers exactly old -> new: a further edit is refused again.
    await writeFile(path.join(dir, "0001_create_things.sql"), `${newSql}\n-- edited again`);
    await expect(runMigrations({ databaseUrl: db.url, dir, superseded })).rejects.toThrow(
      MigrationChecksumError,
    );
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
      // dialect-gate-ignore: a syntax error on purpose
      "0002_broken.sql": "CREATE TABLE broken (id INT PRIMARY KEY,);",
    });
    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow();
    const rows = await query<{ version: string }>(db.url, "SELECT version FROM schema_migrations");
    expect(rows.map((r) => r.version)).toEqual(["0001_ok"]);
  });

  test("a file failing halfway keeps its finished statements, and a re-run finishes it", async () => {
    const first = "CREATE TABLE parts (id INT PRIMARY KEY);";
    const broken =
      "CREATE TABLE part_notes (part_id INT, FOREIGN KEY (part_id) REFERENCES nowhere (id));";
    const fixed =
      "CREATE TABLE part_notes (part_id INT, FOREIGN KEY (part_id) REFERENCES parts (id));";
    const last = "INSERT INTO parts (id) VALUES (7);";
    const dir = await migrationsDir({ "0001_parts.sql": [first, broken, last].join("\n") });

    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow();
    // MySQL committed the first CREATE TABLE on its own; the runner knows it did.
    expect(await query(db.url, "SELECT step FROM schema_migration_steps")).toEqual([{ step: 0 }]);
    expect(await query(db.url, "SELECT version FROM schema_migrations")).toEqual([]);

    await writeFile(path.join(dir, "0001_parts.sql"), [first, fixed, last].join("\n"));
    expect((await runMigrations({ databaseUrl: db.url, dir })).applied).toEqual(["0001_parts"]);
    expect(await query(db.url, "SELECT id FROM parts")).toEqual([{ id: 7 }]);
    expect(await query(db.url, "SELECT version FROM schema_migrations")).toEqual([
      { version: "0001_parts" },
    ]);
    expect(await query(db.url, "SELECT step FROM schema_migration_steps")).toEqual([]);
  });

  test("refuses to go on when a statement that already ran was edited", async () => {
    const dir = await migrationsDir({
      "0001_parts.sql": "CREATE TABLE parts (id INT PRIMARY KEY);\nSELECT * FROM nowhere;",
    });
    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow();
    await writeFile(
      path.join(dir, "0001_parts.sql"),
      "CREATE TABLE parts (id BIGINT PRIMARY KEY);\nSELECT 1;",
    );
    await expect(runMigrations({ databaseUrl: db.url, dir })).rejects.toThrow(
      /0001_parts statement 1 was edited/,
    );
  });

  test("takes its lock under a name MySQL accepts when the database name is long", async () => {
    const long = await createTestDatabase(null, "m".repeat(50));
    try {
      expect(long.name.length).toBeGreaterThan(64 - "migrations:".length);
      const dir = await migrationsDir({ "0001_t.sql": "CREATE TABLE t (id INT PRIMARY KEY);" });
      expect((await runMigrations({ databaseUrl: long.url, dir })).applied).toEqual(["0001_t"]);
    } finally {
      await long.drop();
    }
  });
});
