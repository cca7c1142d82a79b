// `npm run outbox -- ...` at the repository root, `node dist/outboxCli.js ...` in the image:
// the outbox's state, and FAILED rows put back in the relay's queue. stdout: JSON lines only.
import { createPool, runAsMain, runCommand, systemClock, type CommandLine } from "@app/shared";
import { parseOutboxCommand, runOutboxCommand } from "./api/outboxCommand";
import { loadRelayConfig } from "./config";
import { MariaDbOutboxMaintenance } from "./infrastructure/mariadbOutboxMaintenance";

/** Runs the command line; resolves to the process exit code. */
export const outboxCli: CommandLine = (argv, env, print) =>
  runCommand(argv, parseOutboxCommand, async (command) => {
    const config = loadRelayConfig(env);
    const pool = createPool(config.DATABASE_URL, { connectionLimit: 3 });
    try {
      await runOutboxCommand(
        command,
        { store: new MariaDbOutboxMaintenance(pool), clock: systemClock },
        print,
      );
    } finally {
      await pool.end();
    }
  });

if (require.main === module) runAsMain(outboxCli);
