import { readFileSync } from "node:fs";

export interface SchemaModel {
  table: string;
  columns: string[];
  /** Each unique index as its column list (the primary key excluded). */
  uniques: string[][];
}

const SCALARS = new Set([
  "String",
  "Int",
  "BigInt",
  "Float",
  "Decimal",
  "Boolean",
  "DateTime",
  "Json",
  "Bytes",
]);

/**
 * A small reader of schema.prisma, enough for the schema test: models, their column names
 * (after @map / @@map) and unique indexes. Relation fields are skipped; enums count as columns.
 */
export function readPrismaSchema(file: string): SchemaModel[] {
  const text = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
  const enums = new Set([...text.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]!));
  const models: SchemaModel[] = [];
  for (const [, name, body] of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const columnOf = new Map<string, string>();
    const uniques: string[][] = [];
    let table = name!;
    for (const line of body!
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (line.startsWith("@@")) {
        const mapped = /^@@map\("([^"]+)"\)/.exec(line);
        if (mapped) table = mapped[1]!;
        const unique = /^@@unique\(\[([^\]]+)\]/.exec(line);
        if (unique) uniques.push(unique[1]!.split(",").map((f) => f.trim()));
        continue;
      }
      const [field, type] = line.split(/\s+/);
      const baseType = type!.replace(/[?[\]]/g, "");
      if (!SCALARS.has(baseType) && !enums.has(baseType)) continue;
      columnOf.set(field!, /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field!);
      if (/@unique\b/.test(line)) uniques.push([field!]);
    }
    models.push({
      table,
      columns: [...columnOf.values()],
      uniques: uniques.map((u) => u.map((f) => columnOf.get(f) ?? f)),
    });
  }
  return models;
}
