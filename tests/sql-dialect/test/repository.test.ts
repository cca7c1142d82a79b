import { formatViolation } from "../src/check";
import { checkRepository } from "../src/gate";

describe("every SQL statement in the repository", () => {
  const { statements, violations } = checkRepository();

  it("is found: migrations, code and tests", () => {
    const files = new Set(statements.map((s) => s.file));
    expect(files).toContain("services/order/migrations/0001_init.sql");
    expect(files).toContain("services/outbox-relay/src/infrastructure/mariadbOutboxStore.ts");
    expect([...files].some((f) => f.includes("/test/"))).toBe(true);
  });

  // A failure lists each statement as file:line: reason. Fix the SQL, or for a statement that
  // is wrong on purpose put `// dialect-gate-ignore: <why>` on the line above it.
  it("is valid on MySQL 8.4", () => {
    expect(violations.map(formatViolation)).toEqual([]);
  });
});
