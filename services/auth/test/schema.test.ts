import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import {
  createTestDatabase,
  readPrismaSchema,
  schemaDifferences,
  type TestDatabase,
} from "@app/shared/testing";
import { MIGRATIONS } from "./support";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));
let db: TestDatabase;
let sql: Pool;

beforeAll(async () => {
  db = await createTestDatabase(MIGRATIONS, "auth_schema");
  sql = createPool(db.url, { connectionLimit: 1 });
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("reads every model of the schema", () => {
    expect(models.map((m) => m.table).sort()).toEqual(["refresh_tokens", "users"]);
  });

  it.each(models.map((m) => [m.model, m] as const))(
    "has the table, every column and every unique key of %s",
    async (_name, model) => {
      expect(await schemaDifferences(sql, [model])).toEqual([]);
    },
  );
});
