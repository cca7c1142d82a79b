import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import {
  createTestDatabase,
  readPrismaSchema,
  schemaDifferences,
  type TestDatabase,
} from "@app/shared/testing";
import { CATALOG_MIGRATIONS_DIR } from "../src/main";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));
let db: TestDatabase;
let sql: Pool;

beforeAll(async () => {
  db = await createTestDatabase(CATALOG_MIGRATIONS_DIR, "catalog_schema");
  sql = createPool(db.url, { connectionLimit: 1 });
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("parses the five catalog models", () => {
    expect(models.map((m) => m.table).sort()).toEqual([
      "processed_events",
      "products",
      "reservation_items",
      "reservations",
      "stocks",
    ]);
    expect(models.find((m) => m.table === "products")?.uniques).toEqual([["id"], ["sku"]]);
    expect(models.find((m) => m.table === "reservation_items")?.uniques).toEqual([
      ["reservation_id", "product_id"],
    ]);
    expect(models.find((m) => m.table === "stocks")?.columns).toEqual([
      "product_id",
      "quantity",
      "version",
      "updated_at",
    ]);
  });

  it.each(models.map((m) => [m.model, m] as const))(
    "has the table, every column and every unique key of %s",
    async (_name, model) => {
      expect(await schemaDifferences(sql, [model])).toEqual([]);
    },
  );
});
