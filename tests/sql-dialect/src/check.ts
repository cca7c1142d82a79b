import { Parser } from "node-sql-parser";
import { deniedReasons } from "./denyList";
import type { FoundStatement } from "./extract";

export interface Violation {
  file: string;
  line: number;
  reason: string;
  sql: string;
}

const parser = new Parser();

/**
 * Statements MySQL 8.4 accepts that node-sql-parser's MySQL grammar lacks: accepted by their
 * exact shape, or rewritten to an equivalent statement the parser reads.
 */
const PARSER_GAPS: { pattern: RegExp; rewrite?: (sql: string) => string }[] = [
  {
    // SET TRANSACTION (MySQL 8.4 Reference Manual, 15.3.7): the grammar has only SET var = value.
    pattern:
      /^SET\s+(?:SESSION\s+|GLOBAL\s+)?TRANSACTION\s+(?:ISOLATION\s+LEVEL\s+(?:READ\s+COMMITTED|READ\s+UNCOMMITTED|REPEATABLE\s+READ|SERIALIZABLE)|READ\s+ONLY|READ\s+WRITE)$/i,
  },
  {
    // A trigger whose body is one SIGNAL (15.1.22, 15.6.7.5): the grammar lacks SIGNAL.
    pattern:
      /^CREATE\s+TRIGGER\s+\w+\s+(?:BEFORE|AFTER)\s+(?:INSERT|UPDATE|DELETE)\s+ON\s+\w+\s+FOR\s+EACH\s+ROW\s+SIGNAL\s+SQLSTATE\s+'\d{5}'(?:\s+SET\s+MESSAGE_TEXT\s*=\s*'[^']*')?$/i,
  },
  {
    // DO expr (15.2.3) evaluates like SELECT expr without a result.
    pattern: /^DO\s+/i,
    rewrite: (sql) => sql.replace(/^DO\s+/i, "SELECT "),
  },
  {
    // The grammar refuses a back-quoted name after CREATE/DROP DATABASE; MySQL takes it.
    pattern: /^(?:CREATE|DROP)\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?`\w+`/i,
    rewrite: (sql) => sql.replace(/`(\w+)`/, "$1"),
  },
];

/** Why `statement` is not valid MySQL 8, or nothing when it is. */
export function checkStatement(statement: FoundStatement): Violation[] {
  const at = { file: statement.file, sql: statement.sql };
  const denied = deniedReasons(statement.sql);
  if (denied.length > 0) return denied.map((reason) => ({ ...at, line: statement.line, reason }));
  const error = parseError(statement.sql);
  if (!error) return [];
  return [
    {
      ...at,
      line: statement.line + (error.line ?? 1) - 1,
      reason: `not MySQL 8 syntax (node-sql-parser, MySQL grammar): ${error.message}`,
    },
  ];
}

function parseError(sql: string): { message: string; line?: number } | undefined {
  const gap = PARSER_GAPS.find((g) => g.pattern.test(sql));
  if (gap && !gap.rewrite) return undefined;
  if (gap?.rewrite) sql = gap.rewrite(sql);
  try {
    parser.astify(sql, { database: "MySQL" });
    return undefined;
  } catch (error) {
    const e = error as { message?: string; location?: { start?: { line?: number } } };
    return { message: e.message ?? String(error), line: e.location?.start?.line };
  }
}

/** `file:line: reason` and the statement's first line, one violation per entry. */
export function formatViolation(v: Violation): string {
  const firstLine = v.sql.split("\n")[0]!.trim();
  const excerpt = firstLine.length > 100 ? `${firstLine.slice(0, 97)}...` : firstLine;
  return `${v.file}:${v.line}: ${v.reason}\n    ${excerpt}`;
}
