/**
 * What the MySQL grammar of node-sql-parser accepts (or what MariaDB accepts and a reviewer
 * might not notice) but MySQL 8.4 rejects or runs differently. Each rule says why.
 */
export interface DenyRule {
  pattern: RegExp;
  reason: string;
}

const MARIADB_ONLY_FUNCTIONS = [
  "NVL",
  "NVL2",
  "SYS_GUID",
  "ADD_MONTHS",
  "TO_CHAR",
  "SFORMAT",
  "JSON_DETAILED",
  "JSON_LOOSE",
  "JSON_COMPACT",
  "JSON_EXISTS",
  "JSON_QUERY",
  "JSON_EQUALS",
  "JSON_NORMALIZE",
  "NEXTVAL",
  "LASTVAL",
  "SETVAL",
];

export const DENY_RULES: readonly DenyRule[] = [
  {
    pattern: /\bCREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+IF\s+NOT\s+EXISTS\b/i,
    reason: "CREATE INDEX IF NOT EXISTS is MariaDB only: MySQL 8.4 rejects it as a syntax error",
  },
  {
    pattern: /\bADD\s+(?:UNIQUE\s+)?(?:INDEX|KEY|COLUMN|CONSTRAINT)?\s*IF\s+NOT\s+EXISTS\b/i,
    reason: "ALTER TABLE ... ADD ... IF NOT EXISTS is MariaDB only",
  },
  {
    pattern: /\bDROP\s+(?:INDEX|KEY|COLUMN|CONSTRAINT|FOREIGN\s+KEY)\s+IF\s+EXISTS\b/i,
    reason: "DROP INDEX/COLUMN/CONSTRAINT IF EXISTS is MariaDB only",
  },
  {
    pattern: /\bRETURNING\b/i,
    reason: "INSERT/DELETE ... RETURNING is MariaDB only: MySQL has no RETURNING clause",
  },
  {
    pattern: /\bCREATE\s+OR\s+REPLACE\s+TABLE\b/i,
    reason: "CREATE OR REPLACE TABLE is MariaDB only: MySQL 8.4 rejects it",
  },
  {
    pattern: /\bCREATE\s+SEQUENCE\b/i,
    reason: "sequences are MariaDB only: use AUTO_INCREMENT",
  },
  {
    pattern:
      /\b(?:CAST\s*\(.*?\bAS|CONVERT\s*\(.*?,)\s*(?:INT|INTEGER|BIGINT|SMALLINT|TINYINT|MEDIUMINT|VARCHAR|TEXT)\b/is,
    reason:
      "CAST/CONVERT to INT, BIGINT, VARCHAR or TEXT is MariaDB only: MySQL takes SIGNED, UNSIGNED, CHAR, DECIMAL",
  },
  {
    pattern: /\bROWS\s+EXAMINED\b/i,
    reason: "LIMIT ROWS EXAMINED is MariaDB only",
  },
  {
    pattern: /\bWAIT\s+\d+\s*$/i,
    reason: "WAIT n is MariaDB only (MySQL has NOWAIT, SKIP LOCKED and innodb_lock_wait_timeout)",
  },
  {
    pattern: new RegExp(`\\b(?:${MARIADB_ONLY_FUNCTIONS.join("|")})\\s*\\(`, "i"),
    reason: `a MariaDB-only function (${MARIADB_ONLY_FUNCTIONS.join(", ")})`,
  },
];

/** The reasons `sql` breaks a deny rule; string literals are blanked first, so data never matches. */
export function deniedReasons(sql: string): string[] {
  const code = sql.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  return DENY_RULES.filter((rule) => rule.pattern.test(code)).map((rule) => rule.reason);
}
