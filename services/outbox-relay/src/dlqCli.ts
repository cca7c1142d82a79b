// `npm run dlq -- ...` at the repository root, `node dist/dlqCli.js ...` in the image: read and
// replay the order-events dead-letter topic. Logs go to stderr; stdout carries JSON lines only.
import { createLogger, exitOnConfigError, KafkaClient } from "@app/shared";
import { parseDlqCommand, runDlqCommand } from "./api/dlqCommand";
import { loadRelayConfig } from "./config";
import { KafkaDeadLetterSource } from "./infrastructure/kafkaDeadLetters";

/** Runs the command line; resolves to the process exit code. */
export async function dlqCli(
  argv: string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  const command = parseDlqCommand(argv);
  if ("error" in command) {
    process.stderr.write(`${command.error}\n`);
    return 64;
  }
  const config = loadRelayConfig(env);
  const logger = createLogger({
    service: "dlq-cli",
    level: config.LOG_LEVEL,
    stream: process.stderr,
  });
  const kafka = new KafkaClient({ brokers: config.KAFKA_BROKERS, clientId: "dlq-cli", logger });
  const producer =
    command.name === "replay" && !command.dryRun ? await kafka.producer() : undefined;
  try {
    await runDlqCommand(
      command,
      {
        source: new KafkaDeadLetterSource(kafka, config.ORDER_EVENTS_DLQ_TOPIC),
        publisher: {
          send: (topic, messages) =>
            producer ? producer.send(topic, messages) : Promise.reject(new Error("no producer")),
        },
        dlqTopic: config.ORDER_EVENTS_DLQ_TOPIC,
      },
      print,
    );
    return 0;
  } finally {
    await producer?.disconnect();
  }
}

if (require.main === module) {
  dlqCli(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      exitOnConfigError(error);
      process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
      process.exit(1);
    });
}
