// `npm run check -w @app/sql-dialect`: the gate on its own, every violation listed.
import { formatViolation } from "./check";
import { checkRepository } from "./gate";

const { statements, violations } = checkRepository();
for (const v of violations) process.stderr.write(`${formatViolation(v)}\n`);
process.stdout.write(
  `${statements.length} SQL statements checked, ${violations.length} not valid MySQL 8\n`,
);
process.exitCode = violations.length > 0 ? 1 : 0;
