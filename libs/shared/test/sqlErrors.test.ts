import { isCheckViolation } from "../src";
import { scratchDatabase } from "../src/testing";

describe("isCheckViolation", () => {
  const scratch = scratchDatabase("sqlerr");
  beforeAll(async () => {
    await scratch.pool.query(
      "CREATE TABLE stock (id INT PRIMARY KEY, quantity INT NOT NULL, CONSTRAINT ck_stock_quantity CHECK (quantity >= 0))",
    );
  });

  it("recognises the server's own CHECK error (MariaDB 4025 here, MySQL 3819)", async () => {
    const error = await scratch.pool.query("INSERT INTO stock (id, quantity) VALUES (1, -1)").then(
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
