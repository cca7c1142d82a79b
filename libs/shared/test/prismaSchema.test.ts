import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  migratedSchemaDifferences,
  parsePrismaSchema,
  schemaDifferences,
  scratchDatabase,
} from "../src/testing";

const SCHEMA = `
// A comment with model Fake { in it
enum Role {
  CUSTOMER
  ADMIN
}

model User {
  id    String  @id @db.Char(36)
  email String  @unique(map: "uq_users_email") @map("email_address") @db.VarChar(254)
  role  Role    @default(CUSTOMER) // an enum is a column
  items Item[]
  note  String? @db.Text

  @@index([role], map: "ix_users_role")
  @@map("users")
}

model Item {
  userId String @map("user_id") @db.Char(36)
  sku    String @db.VarChar(64)
  user   User   @relation(fields: [userId], references: [id], map: "fk_items_user")

  @@id([userId, sku])
  @@unique([sku, userId], map: "uq_items_sku_user")
  @@map("items")
}
`;

describe("parsePrismaSchema", () => {
  test("names each model's table, scalar and enum columns, and unique keys with the primary key", () => {
    expect(parsePrismaSchema(SCHEMA)).toEqual([
      {
        model: "User",
        table: "users",
        columns: ["id", "email_address", "role", "note"],
        uniques: [["id"], ["email_address"]],
      },
      {
        model: "Item",
        table: "items",
        columns: ["user_id", "sku"],
        uniques: [
          ["user_id", "sku"],
          ["sku", "user_id"],
        ],
      },
    ]);
  });
});

describe("comparing the models with a migrated database", () => {
  const scratch = scratchDatabase("prisma_schema");

  test("is empty when every table, column and unique key of the models exists", async () => {
    await scratch.pool.query(`CREATE TABLE users (
      id CHAR(36) PRIMARY KEY, email_address VARCHAR(254) NOT NULL, role VARCHAR(16) NOT NULL,
      note TEXT NULL, UNIQUE KEY uq_users_email (email_address))`);
    await scratch.pool.query(`CREATE TABLE items (
      user_id CHAR(36) NOT NULL, sku VARCHAR(64) NOT NULL, PRIMARY KEY (user_id, sku),
      UNIQUE KEY uq_items_sku_user (sku, user_id))`);

    expect(await schemaDifferences(scratch.pool, parsePrismaSchema(SCHEMA))).toEqual([]);
  });

  test("names a missing table, a missing column, an extra column and a missing unique key", async () => {
    const models = parsePrismaSchema(`
model Account {
  id    String @id
  email String @unique
  @@map("accounts")
}
model Ghost {
  id String @id
  @@map("ghosts")
}`);
    const migrations = await mkdtemp(path.join(os.tmpdir(), "schema-"));
    await writeFile(
      path.join(migrations, "0001_init.sql"),
      "CREATE TABLE accounts (id CHAR(36) PRIMARY KEY, legacy INT NULL);",
    );

    expect(await migratedSchemaDifferences(migrations, models)).toEqual([
      "column accounts.email is missing",
      "column accounts.legacy is not in the Prisma model",
      "unique key accounts(email) is missing",
      "table ghosts is missing",
    ]);
  });
});
