import path from "node:path";
import { migratedSchemaDifferences, readPrismaSchema } from "@app/shared/testing";
import { ORDER_MIGRATIONS_DIR } from "../src/main";

const ORDER_TABLES = [
  "abandoned_reservations",
  "idempotency_keys",
  "order_items",
  "order_items_archive",
  "orders",
  "orders_archive",
  "outbox_events",
];
const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("describes every table the order service owns", () => {
    expect(models.map((m) => m.table).sort()).toEqual(ORDER_TABLES);
    expect(models.find((m) => m.table === "idempotency_keys")?.uniques).toEqual([
      ["reservation_id"],
      ["user_id", "idempotency_key"],
    ]);
  });

  it("has every table, column and unique key of the schema after migrating", async () => {
    expect(await migratedSchemaDifferences(ORDER_MIGRATIONS_DIR, models)).toEqual([]);
  });
});
