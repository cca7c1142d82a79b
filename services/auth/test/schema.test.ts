import path from "node:path";
import { migratedSchemaDifferences, readPrismaSchema } from "@app/shared/testing";
import { MIGRATIONS } from "./support";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("reads every model of the schema", () => {
    expect(models.map((m) => m.table).sort()).toEqual(["refresh_tokens", "users"]);
  });

  it("has every table, column and unique key of the schema after migrating", async () => {
    expect(await migratedSchemaDifferences(MIGRATIONS, models)).toEqual([]);
  });
});
