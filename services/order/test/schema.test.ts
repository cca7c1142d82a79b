import { readFileSync } from "node:fs";
import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import { createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { ORDER_MIGRATIONS_DIR } from "../src/main";

interface ModelSpec {
  model: string;
  table: string;
  columns: string[];
  /** Column lists that must be unique, the primary key included. */
  uniques: string[][];
}

const SCALARS = /^(String|Int|BigInt|DateTime|Boolean|Decimal|Float|Json|Bytes)$/;

/** Enough of schema.prisma to name each model's table, columns and unique keys. */
function parseSchema(text: string): ModelSpec[] {
  return [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)].map(([, model, body]) => {
    let table = model!;
    const columnOf = new Map<string, string>();
    const uniqueFields: string[][] = [];
    for (const raw of body!.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      const blockAttribute = /^@@(\w+)\((.*)\)$/.exec(line);
      if (blockAttribute) {
        const [, name, args] = blockAttribute;
        if (name === "map") table = /"([^"]+)"/.exec(args!)![1]!;
        if (name === "id" || name === "unique")
          uniqueFields.push(
            /\[([^\]]*)\]/
              .exec(args!)![1]!
              .split(",")
              .map((f) => f.trim()),
          );
        continue;
      }
      const [field, type] = line.split(/\s+/);
      if (!field || !type || !SCALARS.test(type.replace(/[?[\]]/g, ""))) continue;
      columnOf.set(field, /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field);
      if (/@id\b|@unique\b/.test(line)) uniqueFields.push([field]);
    }
    return {
      model: model!,
      table,
      columns: [...columnOf.values()],
      uniques: uniqueFields.map((u) => u.map((f) => columnOf.get(f) ?? f)),
    };
  });
}

const models = parseSchema(readFileSync(path.join(__dirname, "../prisma/schema.prisma"), "utf8"));
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
    "has every column of %s",
    async (_name, model) => {
      const rows: { column_name: string }[] = await sql.query(
        "SELECT COLUMN_NAME AS column_name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
        [model.table],
      );
      expect(rows.map((r) => r.column_name).sort()).toEqual([...model.columns].sort());
    },
  );

  it.each(models.map((m) => [m.model, m] as const))(
    "has every unique key of %s",
    async (_name, model) => {
      const rows: { index_name: string; column_name: string }[] = await sql.query(
        `SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name FROM information_schema.STATISTICS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
        [model.table],
      );
      const actual = new Map<string, string[]>();
      for (const r of rows)
        actual.set(r.index_name, [...(actual.get(r.index_name) ?? []), r.column_name]);
      const keys = [...actual.values()].map((columns) => columns.join(","));
      for (const unique of model.uniques) expect(keys).toContain(unique.join(","));
    },
  );
});
