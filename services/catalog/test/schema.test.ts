import path from "node:path";
import { migratedSchemaDifferences, readPrismaSchema } from "@app/shared/testing";
import { CATALOG_MIGRATIONS_DIR } from "../src/main";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));

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

  it("has every table, column and unique key of the schema after migrating", async () => {
    expect(await migratedSchemaDifferences(CATALOG_MIGRATIONS_DIR, models)).toEqual([]);
  });
});
