import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import {
  createTestDatabase,
  readPrismaSchema,
  schemaDifferences,
  type TestDatabase,
} from "@app/shared/testing";
import { ORDER_MIGRATIONS_DIR } from "../src/main";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));
let db: TestDatabase;
let sql: Pool;

beforeAll(async () => {
  db = await createTestDatabase(ORDER_MIGRATIONS_DIR, "orders_schema");
  sql = createPool(db.url, { connectionLimit: 1 });
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("describes every table the order service owns", () => {
    expect(models.map((m) => m.table).sort()).toEqual([
      "abandoned_reservations",
      "idempotency_keys",
      "order_items",
      "order_items_archive",
      "orders",
      "orders_archive",
      "outbox_events",
    ]);
    expect(models.find((m) => m.table === "idempotency_keys")?.uniques).toEqual([
      ["reservation_id"],
      ["user_id", "idempotency_key"],
    ]);
  });

  it.each(models.map((m) => [m.model, m] as const))(
    "has the table, every column and every unique key of %s",
    async (_name, model) => {
      expect(await schemaDifferences(sql, [model])).toEqual([]);
    },
  );
});
