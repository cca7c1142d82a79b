import { createPool, isCheckViolation, type Pool } from "../src";
import { createTestDatabase, type TestDatabase } from "../src/testing";

describe("isCheckViolation", () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase(null, "sqlerr");
    pool = createPool(db.url, { connectionLimit: 1 });
    await pool.query(
      "CREATE TABLE stock (id INT PRIMARY KEY, quantity INT NOT NULL, CONSTRAINT ck_stock_quantity CHECK (quantity >= 0))",
    );
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it("recognises the server's own CHECK error (MariaDB 4025 here, MySQL 3819)", async () => {
    const error = await pool.query("INSERT INTO stock (id, quantity) VALUES (1, -1)").then(
      () => "inserted",
      (e: unknown) => e,
    );
    expect([3819, 4025]).toContain((error as { errno?: number }).errno);
    expect(isCheckViolation(error)).toBe(true);
  });

  it("recognises MySQL 8's number and MariaDB's, and nothing else", () => {
    expect(isCheckViolation({ errno: 3819 })).toBe(true);
    expect(isCheckViolation({ errno: 4025 })).toBe(true);
    expect(isCheckViolation({ errno: 1062 })).toBe(false);
    expect(isCheckViolation(new Error("no errno"))).toBe(false);
    expect(isCheckViolation(null)).toBe(false);
  });
});
