#!/usr/bin/env node
// `app-migrate <dir>`: the same runner in npm start, tests and the Kubernetes migration Job.
import { createLogger } from "../logging";
import { runMigrations } from ".";

async function main() {
  const dir = process.argv[2];
  const databaseUrl = process.env.DATABASE_URL;
  const logger = createLogger({
    service: process.env.SERVICE_NAME ?? "migrate",
    level: process.env.LOG_LEVEL ?? "info",
  });
  if (!dir || !databaseUrl) {
    process.stderr.write("usage: DATABASE_URL=mysql://... app-migrate <migrations-dir>\n");
    process.exit(64);
  }
  const result = await runMigrations({ databaseUrl, dir, logger });
  logger.info("migrations done", {
    applied: result.applied.length,
    alreadyApplied: result.alreadyApplied,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
