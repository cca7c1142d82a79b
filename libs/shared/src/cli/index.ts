// The operator command lines (catalog's `reservations`, the relay's `dlq` and `outbox`): one
// command word and its options in; JSON lines on stdout, logs on stderr, and exit codes a script
// can test (64 a wrong command line, 78 a wrong configuration, 1 a failure).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { exitOnConfigError } from "../config";
import { createLogger, type Logger } from "../logging";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>
>["values"];

export type PrintLine = (line: string) => void;

/** A command line as a function: tests call it in process, `runAsMain` from a shell. */
export type CommandLine = (
  argv: string[],
  env: Record<string, string | undefined>,
  print: PrintLine,
) => Promise<number>;

/** A command line's logger: on stderr, so stdout carries its JSON lines only. */
export function cliLogger(name: string, level: string): Logger {
  return createLogger({ service: name, level, stream: process.stderr });
}

/** EX_USAGE (sysexits.h): the command line itself is wrong. */
const EXIT_USAGE = 64;

/**
 * `argv` as exactly one command word and its options; every error names what is wrong and ends
 * with the usage.
 */
export function parseCommandWord<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): { word: string; values: Values<O> } | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    return { error: `${(error as Error).message}; ${usage}` };
  }
  if (parsed.positionals.length !== 1) return { error: usage };
  return { word: parsed.positionals[0]!, values: parsed.values as Values<O> };
}

/** Parses, and runs what parsed; a wrong command line is said on stderr and exits 64. */
export async function runCommand<C extends object>(
  argv: string[],
  parse: (argv: string[]) => C | { error: string },
  run: (command: C) => Promise<void>,
): Promise<number> {
  const command = parse(argv);
  if ("error" in command) {
    process.stderr.write(`${command.error}\n`);
    return EXIT_USAGE;
  }
  await run(command);
  return 0;
}

/** Runs a command line as the process: its exit code, or the error as a JSON line and exit 1. */
export function runAsMain(commandLine: CommandLine): void {
  commandLine(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      exitOnConfigError(error);
      process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
      process.exit(1);
    });
}
