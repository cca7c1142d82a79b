import { createPool, type Pool } from "../database";
import type { PrismaModel } from "./prismaSchema";
import { createTestDatabase } from "./servers";

/** Migrates a fresh database from `migrationsDir`, compares it with the models, drops it. */
export async function migratedSchemaDifferences(
  migrationsDir: string,
  models: PrismaModel[],
): Promise<string[]> {
  const db = await createTestDatabase(migrationsDir, "schema");
  const pool = createPool(db.url, { connectionLimit: 1 });
  try {
    return await schemaDifferences(pool, models);
  } finally {
    await pool.end();
    await db.drop();
  }
}

/**
 * Where the connected (migrated) database and the Prisma models disagree, one readable line
 * each: a missing table, a missing column, a column the model lacks, a missing unique or
 * primary key. Empty when they agree, so a test asserts `toEqual([])` and a failure names
 * every difference at once.
 */
export async function schemaDifferences(pool: Pool, models: PrismaModel[]): Promise<string[]> {
  const columnRows: { table_name: string; column_name: string }[] = await pool.query(
    `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`,
  );
  const keyRows: { table_name: string; index_name: string; column_name: string }[] =
    await pool.query(
      `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, COLUMN_NAME AS column_name
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0
        ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    );
  const columnsOf = groupBy(columnRows, (r) => r.table_name);
  const uniqueKeysOf = new Map<string, string[]>();
  for (const [key, rows] of groupBy(keyRows, (r) => `${r.table_name}\0${r.index_name}`)) {
    const table = key.split("\0")[0]!;
    uniqueKeysOf.set(table, [...(uniqueKeysOf.get(table) ?? []), rows.join(",")]);
  }

  const differences: string[] = [];
  for (const { table, columns, uniques } of models) {
    const actual = columnsOf.get(table);
    if (!actual) {
      differences.push(`table ${table} is missing`);
      continue;
    }
    for (const column of columns)
      if (!actual.includes(column)) differences.push(`column ${table}.${column} is missing`);
    for (const column of actual)
      if (!columns.includes(column))
        differences.push(`column ${table}.${column} is not in the Prisma model`);
    const keys = uniqueKeysOf.get(table) ?? [];
    for (const unique of uniques)
      if (!keys.includes(unique.join(",")))
        differences.push(`unique key ${table}(${unique.join(", ")}) is missing`);
  }
  return differences;
}

/** Column names grouped by `keyOf`, in row order. */
function groupBy<R extends { column_name: string }>(
  rows: R[],
  keyOf: (row: R) => string,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const key = keyOf(row);
    groups.set(key, [...(groups.get(key) ?? []), row.column_name]);
  }
  return groups;
}
