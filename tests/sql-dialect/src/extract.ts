import { splitStatements } from "@app/shared";
import ts from "typescript";

/** One SQL statement found in a file, with the line it starts on. */
export interface FoundStatement {
  file: string;
  line: number;
  sql: string;
  /** Template substitutions (`${...}`) were replaced by stand-ins to parse it. */
  hasSubstitutions: boolean;
}

// How SQL strings in code begin here: upper-case keywords, as every query in the repository is
// written. A sentence such as "update the order" is not SQL.
const SQL_START =
  /^\s*(?:SELECT\s|INSERT\s+(?:IGNORE\s+)?INTO\s|REPLACE\s+INTO\s|UPDATE\s+[`\w.]+\s+(?:\w+\s+)?SET\s|DELETE\s+(?:\w+\s+)?FROM\s|CREATE\s+(?:TABLE|UNIQUE|INDEX|DATABASE|SCHEMA|VIEW|USER|OR\s+REPLACE|SEQUENCE)\b|ALTER\s+(?:TABLE|USER|DATABASE)\s|DROP\s+(?:TABLE|DATABASE|SCHEMA|INDEX|VIEW|USER)\s|TRUNCATE\s|GRANT\s|REVOKE\s|SET\s+(?:SESSION|GLOBAL|TRANSACTION|NAMES|@|[a-z_]+\s*=)|DO\s|WITH\s+(?:RECURSIVE\s+)?\w+\s+AS\s*\(|SHOW\s|KILL\s|START\s+TRANSACTION|LOCK\s+TABLES?\s)/;

export function looksLikeSql(text: string): boolean {
  return SQL_START.test(text);
}

/** Statements of a .sql file. */
export function sqlFileStatements(file: string, text: string): FoundStatement[] {
  return splitStatements(text).map((s) => ({ file, ...s, hasSubstitutions: false }));
}

/** ```sql blocks of a Markdown file. */
export function markdownStatements(file: string, text: string): FoundStatement[] {
  const found: FoundStatement[] = [];
  for (const block of text.matchAll(/^```sql\s*\n([\s\S]*?)^```/gm)) {
    const firstLine = text.slice(0, block.index).split("\n").length + 1;
    for (const s of splitStatements(block[1]!))
      found.push({ file, sql: s.sql, line: firstLine + s.line - 1, hasSubstitutions: false });
  }
  return found;
}

// A literal or statement whose line, or the line above, carries this comment is skipped: SQL
// that is wrong on purpose (a test of a failing migration). The reason after the colon is
// required.
const IGNORE_MARKER = /dialect-gate-ignore:[ \t]*\S/;

// A statement with more `${...}` variants than this is checked on its first ones only.
const MAX_VARIANTS = 16;

/** SQL in the string and template literals of a TypeScript or JavaScript file. */
export function codeStatements(file: string, text: string): FoundStatement[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split("\n");
  const constants = stringConstants(source);
  const found: FoundStatement[] = [];
  const visit = (node: ts.Node, isQueryArgument = false) => {
    const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const marked = IGNORE_MARKER.test(`${lines[start - 2] ?? ""}\n${lines[start - 1] ?? ""}`);
    if (marked && (ts.isVariableStatement(node) || ts.isStringLiteralLike(node))) return;
    if (isQueryCall(node)) {
      // The first argument of a driver call is SQL whatever it looks like.
      const [first, ...rest] = node.arguments;
      visit(node.expression);
      if (first) visit(first, true);
      for (const arg of rest) visit(arg);
      return;
    }
    const variants = literalVariants(node, constants);
    if (variants && (isQueryArgument || variants.some(looksLikeSql))) {
      const seen = new Set<string>();
      for (const variant of variants.slice(0, MAX_VARIANTS))
        for (const s of splitStatements(variant)) {
          if (seen.has(s.sql)) continue;
          seen.add(s.sql);
          found.push({
            file,
            sql: s.sql,
            line: start + s.line - 1,
            hasSubstitutions: ts.isTemplateExpression(node),
          });
        }
      return;
    }
    ts.forEachChild(node, (child) => visit(child));
  };
  visit(source);
  return found;
}

const QUERY_METHODS = new Set([
  "query",
  "execute",
  "batch",
  "queryStream",
  "$queryRawUnsafe",
  "$executeRawUnsafe",
]);

function isQueryCall(node: ts.Node): node is ts.CallExpression {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    QUERY_METHODS.has(node.expression.name.text)
  );
}

/** Top-level `const NAME = "..."` (or a template without substitutions) of the file. */
function stringConstants(source: ts.SourceFile): Map<string, string> {
  const constants = new Map<string, string>();
  for (const statement of source.statements) {
    const list = ts.isVariableStatement(statement) ? statement.declarationList : undefined;
    if (!list || !(list.flags & ts.NodeFlags.Const)) continue;
    for (const d of list.declarations) {
      const init = d.initializer;
      if (!ts.isIdentifier(d.name) || !init) continue;
      if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init))
        constants.set(d.name.text, init.text);
      else if (ts.isNumericLiteral(init)) constants.set(d.name.text, init.text);
    }
  }
  return constants;
}

/**
 * A literal's possible texts: a `${...}` is resolved when it is a constant of the file or a
 * conditional between string literals (each branch gives a variant); anything else gets a
 * stand-in for what it is where it stands.
 */
function literalVariants(node: ts.Node, constants: Map<string, string>): string[] | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (!ts.isTemplateExpression(node)) return undefined;
  let texts = [node.head.text];
  for (const span of node.templateSpans) {
    const next: string[] = [];
    for (const before of texts) {
      for (const value of substitutionValues(span.expression, constants, before))
        next.push(before + value + span.literal.text);
    }
    texts = next.slice(0, MAX_VARIANTS);
  }
  return texts;
}

function substitutionValues(
  expression: ts.Expression,
  constants: Map<string, string>,
  before: string,
): string[] {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression))
    return [expression.text];
  if (ts.isNumericLiteral(expression)) return [expression.text];
  if (ts.isParenthesizedExpression(expression))
    return substitutionValues(expression.expression, constants, before);
  if (ts.isIdentifier(expression) && constants.has(expression.text))
    return [constants.get(expression.text)!];
  if (ts.isConditionalExpression(expression))
    return [
      ...substitutionValues(expression.whenTrue, constants, before),
      ...substitutionValues(expression.whenFalse, constants, before),
    ];
  return [standIn(before)];
}

/**
 * What an unknown substitution most likely is: a value after a comparison, IN (, LIMIT or
 * INTERVAL; a fragment glued to the previous token; else a name (table, column, column list).
 */
function standIn(before: string): string {
  if ((before.match(/`/g)?.length ?? 0) % 2 === 1) return "sub";
  if (/(?:[=<>]|\bIN\s*\(|\bLIMIT|\bOFFSET|\bINTERVAL|\bVALUES\s*\()\s*$/i.test(before)) return "?";
  if (/\S$/.test(before) && !/[(,.]$/.test(before)) return "";
  return "sub";
}
