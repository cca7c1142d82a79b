export interface SqlStatement {
  /** The statement without its trailing semicolon, comments before it removed. */
  sql: string;
  /** 1-based line of the statement's first character in the source. */
  line: number;
}

/**
 * Splits a SQL file on the semicolons that end statements, skipping those inside quotes,
 * backticks and comments. Enough for migration files: no DELIMITER, no stored programs.
 */
export function splitStatements(source: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current = "";
  let start = -1;
  let line = 1;
  let startLine = 1;
  const push = () => {
    const sql = current.trim();
    if (sql) statements.push({ sql, line: startLine });
    current = "";
    start = -1;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const next = source[i + 1];
    if ((ch === "-" && next === "-" && /\s/.test(source[i + 2] ?? " ")) || ch === "#") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end - 1;
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      line += countLines(source.slice(i, stop));
      if (start !== -1) current += " ";
      i = stop - 1;
      continue;
    }
    if (ch === "\n") line++;
    if (ch === ";") {
      push();
      continue;
    }
    if (start === -1 && !/\s/.test(ch)) {
      start = i;
      startLine = line;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = closingQuote(source, i);
      const quoted = source.slice(i, end + 1);
      line += countLines(quoted);
      current += quoted;
      i = end;
      continue;
    }
    current += ch;
  }
  push();
  return statements;
}

/** Index of the quote closing the one at `open` (doubled quotes and backslashes escape). */
function closingQuote(source: string, open: number): number {
  const quote = source[open]!;
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === "\\" && quote !== "`") i++;
    else if (source[i] === quote) {
      if (source[i + 1] === quote) i++;
      else return i;
    }
  }
  return source.length - 1;
}

function countLines(text: string): number {
  return text.split("\n").length - 1;
}
