import { randomUUID } from "node:crypto";
import type { IncomingMessage, KafkaClient } from "@app/shared";
import { waitFor } from "@app/shared/testing";

export { createPool } from "@app/shared";

/** Reads the topic from the beginning with a throwaway group until a message matches. */
export async function waitForKafkaMessage(
  kafka: KafkaClient,
  topic: string,
  match: (m: IncomingMessage) => boolean,
): Promise<IncomingMessage> {
  const consumer = kafka.consumer(`e2e-reader-${randomUUID()}`);
  let found: IncomingMessage | undefined;
  try {
    await consumer.run([topic], async (m) => {
      if (!found && match(m)) found = m;
    });
    return await waitFor(() => found, {
      timeoutMs: 30_000,
      what: `a matching message on ${topic}`,
    });
  } finally {
    await consumer.stop();
  }
}
