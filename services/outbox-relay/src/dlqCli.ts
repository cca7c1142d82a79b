// `npm run dlq -- ...` at the repository root, `node dist/dlqCli.js ...` in the image: read and
// replay the order-events dead-letter topic. Logs go to stderr; stdout carries JSON lines only.
import {
  cliLogger,
  KafkaClient,
  kafkaSecurity,
  runAsMain,
  runCommand,
  type CommandLine,
} from "@app/shared";
import { parseDlqCommand, runDlqCommand } from "./api/dlqCommand";
import { loadRelayConfig } from "./config";
import { KafkaDeadLetterSource } from "./infrastructure/kafkaDeadLetters";

/** Runs the command line; resolves to the process exit code. */
export const dlqCli: CommandLine = (argv, env, print) =>
  runCommand(argv, parseDlqCommand, async (command) => {
    const config = loadRelayConfig(env);
    const logger = cliLogger("dlq-cli", config.LOG_LEVEL);
    // The relay's TLS and SASL settings: a managed cluster takes nothing else.
    const kafka = new KafkaClient({
      brokers: config.KAFKA_BROKERS,
      clientId: "dlq-cli",
      logger,
      security: kafkaSecurity(config),
    });
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
    } finally {
      await producer?.disconnect();
    }
  });

if (require.main === module) runAsMain(dlqCli);
