// `npm run outbox -- ...` at the repository root, `node dist/outboxCli.js ...` in the image:
// the outbox's state, and FAILED rows put back in the relay's queue. stdout: JSON lines only.
import { createPool, exitOnConfigError } from "@app/shared";
import { parseOutboxCommand, runOutboxCommand } from "./api/outboxCommand";
import { loadRelayConfig } from "./config";
import { MariaDbOutboxMaintenance } from "./infrastructure/mariadbOutboxMaintenance";

/** Runs the command line; resolves to the process exit code. */
export async function outboxCli(
  argv: string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  const command = parseOutboxCommand(argv);
  if ("error" in command) {
    process.stderr.write(`${command.error}\n`);
    return 64;
  }
  const config = loadRelayConfig(env);
  const pool = createPool(config.DATABASE_URL, { connectionLimit: 3 });
  try {
    await runOutboxCommand(
      command,
      { store: new MariaDbOutboxMaintenance(pool), now: () => new Date() },
      print,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  outboxCli(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      exitOnConfigError(error);
      process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
      process.exit(1);
    });
}
