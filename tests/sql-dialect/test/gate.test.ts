import { checkStatement, formatViolation } from "../src/check";
import { statementsOf } from "../src/gate";

/** The reasons the gate gives for one SQL string, as it would find it in a migration file. */
function reasonsFor(sql: string): string[] {
  return statementsOf("migrations/0001_x.sql", sql)
    .flatMap(checkStatement)
    .map((v) => v.reason);
}

describe("the SQL dialect gate", () => {
  it.each([
    ["CREATE INDEX IF NOT EXISTS ix_a ON a (b)", /CREATE INDEX IF NOT EXISTS is MariaDB only/],
    ["CREATE UNIQUE INDEX IF NOT EXISTS ux_a ON a (b)", /CREATE INDEX IF NOT EXISTS/],
    ["INSERT INTO a (id) VALUES (1) RETURNING id", /RETURNING is MariaDB only/],
    ["DELETE FROM a WHERE id = 1 RETURNING id", /RETURNING is MariaDB only/],
    ["CREATE OR REPLACE TABLE a (id INT PRIMARY KEY)", /CREATE OR REPLACE TABLE is MariaDB only/],
    ["SELECT CAST(COUNT(*) AS INT) AS n FROM a", /CAST\/CONVERT to INT/],
    ["SELECT CAST(x AS BIGINT) FROM a", /CAST\/CONVERT to INT/],
    ["ALTER TABLE a ADD COLUMN IF NOT EXISTS b INT", /ADD \.\.\. IF NOT EXISTS is MariaDB only/],
    ["ALTER TABLE a DROP INDEX IF EXISTS ix_b", /IF EXISTS is MariaDB only/],
    ["CREATE SEQUENCE s START WITH 1", /sequences are MariaDB only/],
    ["SELECT NVL(a, 0) FROM t", /MariaDB-only function/],
    ["SELECT * FROM a LIMIT ROWS EXAMINED 10", /ROWS EXAMINED/],
    ["SELECT * FROM a WHERE id = 1 FOR UPDATE WAIT 5", /WAIT n is MariaDB only/],
    ["SELEC id FROM a", /not MySQL 8 syntax/],
    ["CREATE TABLE a (id INT PRIMARY KEY,)", /not MySQL 8 syntax/],
  ])("rejects %s", (sql, reason) => {
    const reasons = reasonsFor(sql);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(reason);
  });

  it.each([
    "CREATE INDEX ix_orders_archive_reservation ON orders_archive (reservation_id)",
    "CREATE TABLE IF NOT EXISTS t (id CHAR(36) NOT NULL, n BIGINT NOT NULL, created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (id), KEY ix_t (created_at, id), CONSTRAINT ck_t CHECK (n >= 0)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    "SELECT id FROM outbox_events WHERE status = 'READY' ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED",
    "INSERT INTO a (id, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = n + 1",
    "SELECT CAST(COUNT(*) AS SIGNED) AS n FROM a",
    "UPDATE stocks SET quantity = quantity - ?, version = version + 1 WHERE product_id = ? AND quantity >= ?",
    "SELECT GET_LOCK(?, ?) AS got",
    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
    "SET SESSION innodb_lock_wait_timeout = 5",
    "DO SLEEP(0.5)",
    "DROP DATABASE IF EXISTS `t_1`",
    "ALTER TABLE idempotency_keys MODIFY response_body LONGTEXT NULL",
  ])("passes %s", (sql) => {
    expect(reasonsFor(sql)).toEqual([]);
  });

  it("names the file and line of a bad statement in a migration", () => {
    const sql =
      "-- first\nCREATE TABLE a (id INT PRIMARY KEY);\n\nCREATE INDEX IF NOT EXISTS ix ON a (id);\n";
    const [violation, ...more] = statementsOf("services/x/migrations/0002_y.sql", sql).flatMap(
      checkStatement,
    );
    expect(more).toEqual([]);
    expect(formatViolation(violation!)).toMatch(
      /^services\/x\/migrations\/0002_y\.sql:4: CREATE INDEX IF NOT EXISTS is MariaDB only/,
    );
  });

  it("finds SQL in code strings and templates, with the line it starts on", () => {
    const code = [
      'const COLUMNS = "id, status";',
      "async function load(conn, id, forUpdate) {",
      "  await conn.query(`SELECT ${COLUMNS} FROM orders WHERE id = ?${forUpdate ? ' FOR UPDATE' : ''}`, [id]);",
      '  await conn.query("INSERT INTO a (id) VALUES (?) RETURNING id", [id]);',
      '  logger.info("update the order", { id });',
      "}",
    ].join("\n");
    const found = statementsOf("src/store.ts", code);
    expect(found.map((s) => [s.line, s.sql])).toEqual([
      [3, "SELECT id, status FROM orders WHERE id = ? FOR UPDATE"],
      [3, "SELECT id, status FROM orders WHERE id = ?"],
      [4, "INSERT INTO a (id) VALUES (?) RETURNING id"],
    ]);
    expect(found.flatMap(checkStatement).map((v) => `${v.file}:${v.line}`)).toEqual([
      "src/store.ts:4",
    ]);
  });

  it("checks the first argument of a driver call even when it does not look like SQL", () => {
    const found = statementsOf("src/x.ts", 'await pool.query("select 1 returning 2");');
    expect(found.flatMap(checkStatement).map((v) => v.reason)).toEqual([
      expect.stringMatching(/RETURNING/),
    ]);
  });

  it("skips a literal marked as wrong on purpose, and only with a reason", () => {
    const marked = '// dialect-gate-ignore: a syntax error on purpose\nconst bad = "SELECT FROM";';
    expect(statementsOf("test/x.test.ts", marked)).toEqual([]);
    const noReason = '// dialect-gate-ignore:\nconst bad = "SELECT FROM";';
    expect(statementsOf("test/x.test.ts", noReason)).toHaveLength(1);
  });

  it("reads sql blocks of Markdown", () => {
    const md =
      "# Users\n\n```sql\nCREATE USER 'order'@'%' IDENTIFIED BY 'secret';\nSELECT 1 RETURNING 2;\n```\n";
    const found = statementsOf("README.md", md);
    expect(found.map((s) => s.line)).toEqual([4, 5]);
    expect(found.flatMap(checkStatement).map((v) => v.line)).toEqual([5]);
  });
});
