import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import { createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { MIGRATIONS } from "./support";
import { readPrismaSchema } from "./prismaSchema";

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase(MIGRATIONS, "auth_schema");
  pool = createPool(db.url, { connectionLimit: 1 });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));

describe("prisma/schema.prisma against the migrated database", () => {
  it("reads every model of the schema", () => {
    expect(models.map((m) => m.table).sort()).toEqual(["refresh_tokens", "users"]);
  });

  it.each(models.map((m) => [m.table, m] as const))(
    "has table %s with every column of its model",
    async (table, model) => {
      const rows: { COLUMN_NAME: string }[] = await pool.query(
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        [db.name, table],
      );

      expect(rows.map((r) => r.COLUMN_NAME).sort()).toEqual([...model.columns].sort());
    },
  );

  it.each(
    models.flatMap((m) =>
      m.uniques.map((columns) => [m.table, columns.join(", "), columns] as const),
    ),
  )("has on %s a unique index on (%s)", async (table, _label, columns) => {
    const rows: { INDEX_NAME: string; COLUMN_NAME: string }[] = await pool.query(
      `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY'
         ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
      [db.name, table],
    );
    const indexes = new Map<string, string[]>();
    for (const row of rows)
      indexes.set(row.INDEX_NAME, [...(indexes.get(row.INDEX_NAME) ?? []), row.COLUMN_NAME]);

    expect([...indexes.values()]).toContainEqual(columns);
  });
});
