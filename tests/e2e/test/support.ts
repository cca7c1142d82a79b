import { randomUUID } from "node:crypto";
import net from "node:net";
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

/** Bytes a client library would not send, written to a server (the gateway) as they are. */
export async function rawHttp(
  baseUrl: string,
  text: string,
): Promise<{ head: string; body: string }> {
  const { port } = new URL(baseUrl);
  const socket = net.connect(Number(port), "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.write(text);
  await new Promise<void>((resolve, reject) => {
    socket.on("end", resolve);
    socket.on("error", reject);
    // nginx keeps a connection open after some refusals: the whole answer is enough.
    socket.on("data", () => {
      const all = Buffer.concat(chunks).toString("utf8");
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(all)?.[1];
      const split = all.indexOf("\r\n\r\n");
      if (length && split >= 0 && Buffer.byteLength(all.slice(split + 4)) >= Number(length))
        resolve();
    });
  });
  socket.destroy();
  const all = Buffer.concat(chunks).toString("utf8");
  const split = all.indexOf("\r\n\r\n");
  return { head: all.slice(0, split + 2), body: all.slice(split + 4) };
}
