import { createPool, type Pool } from "@app/shared";
import { createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { readFileSync } from "node:fs";
import path from "node:path";
import { NOTIFIER_MIGRATIONS_DIR } from "../src/main";

interface ModelSpec {
  model: string;
  table: string;
  columns: string[];
  /** Column lists that must be unique (primary key included). */
  uniques: string[][];
}

/** A small parse of schema.prisma: enough to name tables, scalar columns and unique keys. */
function parseSchema(text: string): ModelSpec[] {
  const blocks = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.map((b) => b[1]!));
  const enumNames = new Set([...text.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1]!));
  return blocks.map(([, model, body]) => {
    const columns: string[] = [];
    const uniques: string[][] = [];
    const columnOf = new Map<string, string>();
    let table = model!;
    for (const raw of body!.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (!line) continue;
      const attr = /^@@(\w+)\((.*)\)$/.exec(line);
      if (attr) {
        const fields = /\[([^\]]*)\]/.exec(attr[2]!)?.[1]?.split(",").map((f) => f.trim()) ?? [];
        if (attr[1] === "map") table = /"([^"]+)"/.exec(attr[2]!)![1]!;
        if (attr[1] === "id" || attr[1] === "unique") uniques.push(fields);
        continue;
      }
      const [field, type] = line.split(/\s+/);
      const baseType = type!.replace(/[?[\]]/g, "");
      if (modelNames.has(baseType)) continue; // relation, not a column
      if (!/^(String|Int|BigInt|DateTime|Boolean|Decimal|Float|Json|Bytes)$/.test(baseType) && !enumNames.has(baseType)) continue;
      const column = /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field!;
      columns.push(column);
      columnOf.set(field!, column);
      if (/@id\b/.test(line) || /@unique\b/.test(line)) uniques.push([field!]);
    }
    return { model: model!, table, columns, uniques: uniques.map((u) => u.map((f) => columnOf.get(f) ?? f)) };
  });
}

const models = parseSchema(readFileSync(path.join(__dirname, "../prisma/schema.prisma"), "utf8"));
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
    expect(models[0]?.columns).toEqual(["id", "event_id", "user_id", "order_id", "type", "message", "created_at", "sent_at"]);
  });

  it.each(models.map((m) => [m.model, m] as const))("has every column of %s", async (_name, model) => {
    const rows: { column_name: string }[] = await sql.query(
      "SELECT COLUMN_NAME AS column_name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
      [model.table],
    );
    const actual = rows.map((r) => r.column_name);
    for (const column of model.columns) expect(actual).toContain(column);
  });

  it.each(models.map((m) => [m.model, m] as const))("has every unique key of %s", async (_name, model) => {
    const rows: { index_name: string; column_name: string }[] = await sql.query(
      `SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
      [model.table],
    );
    const indexes = new Map<string, string[]>();
    for (const r of rows) indexes.set(r.index_name, [...(indexes.get(r.index_name) ?? []), r.column_name]);
    const actual = [...indexes.values()].map((cols) => cols.join(","));
    for (const unique of model.uniques) expect(actual).toContain(unique.join(","));
  });
});
