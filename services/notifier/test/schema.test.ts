import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import {
  createTestDatabase,
  readPrismaSchema,
  schemaDifferences,
  type TestDatabase,
} from "@app/shared/testing";
import { NOTIFIER_MIGRATIONS_DIR } from "../src/main";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));
let db: TestDatabase;
let sql: Pool;

beforeAll(async () => {
  db = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "notifier_schema");
  sql = createPool(db.url, { connectionLimit: 1 });
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("parses the notifications model with its primary key and unique event id", () => {
    expect(models.map((m) => m.table)).toEqual(["notifications"]);
    expect(models[0]?.uniques).toEqual([["id"], ["event_id"]]);
    expect(models[0]?.columns).toEqual([
      "id",
      "event_id",
      "user_id",
      "order_id",
      "type",
      "message",
      "created_at",
      "sent_at",
    ]);
  });

  it.each(models.map((m) => [m.model, m] as const))(
    "has the table, every column and every unique key of %s",
    async (_name, model) => {
      expect(await schemaDifferences(sql, [model])).toEqual([]);
    },
  );
});
