import { readFileSync } from "node:fs";

/** What a schema test needs of one Prisma model: its table, scalar columns and unique keys. */
export interface PrismaModel {
  model: string;
  table: string;
  /** Column names (after @map) of scalar and enum fields; relation fields are not columns. */
  columns: string[];
  /** Column lists that must be unique, the primary key included, in declaration order. */
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
 * A small parse of schema.prisma, enough to compare it with a migrated database. Not a full
 * grammar: one field or block attribute per line, as `prisma format` writes them.
 */
export function parsePrismaSchema(text: string): PrismaModel[] {
  const source = text.replace(/\/\/.*$/gm, "");
  const enums = new Set([...source.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]!));
  return [...source.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(([, model, body]) => {
    let table = model!;
    const columnOf = new Map<string, string>();
    const uniqueFields: string[][] = [];
    for (const line of body!.split("\n").map((l) => l.trim())) {
      if (!line) continue;
      const blockAttribute = /^@@(\w+)\((.*)\)$/.exec(line);
      if (blockAttribute) {
        const [, name, args] = blockAttribute;
        if (name === "map") table = /"([^"]+)"/.exec(args!)![1]!;
        if (name === "id" || name === "unique") uniqueFields.push(fieldList(args!));
        continue;
      }
      const [field, type] = line.split(/\s+/);
      const baseType = type?.replace(/[?[\]]/g, "");
      if (!field || !baseType || !(SCALARS.has(baseType) || enums.has(baseType))) continue;
      columnOf.set(field, /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field);
      if (/@id\b|@unique\b/.test(line)) uniqueFields.push([field]);
    }
    return {
      model: model!,
      table,
      columns: [...columnOf.values()],
      uniques: uniqueFields.map((fields) => fields.map((f) => columnOf.get(f) ?? f)),
    };
  });
}

/** Reads and parses a schema.prisma file. */
export function readPrismaSchema(file: string): PrismaModel[] {
  return parsePrismaSchema(readFileSync(file, "utf8"));
}

/** The field names of `[a, b]` in a block attribute's arguments. */
function fieldList(args: string): string[] {
  const list = /\[([^\]]*)\]/.exec(args);
  if (!list) throw new Error(`no field list in @@(${args})`);
  return list[1]!.split(",").map((f) => f.trim());
}
