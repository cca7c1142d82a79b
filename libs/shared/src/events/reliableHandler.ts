import { contextFromHeaders, runWithContext } from "../context";
import type { Logger } from "../logging";
import { jitteredBackoffMs } from "../retry";
import { InvalidEnvelopeError, type EnvelopeReader } from "./envelopeReader";
import { inMemoryDeliveryCounter, type DeliveryCounter } from "./deliveryCounter";
import type { EventProducer, IncomingMessage, MessageHandler } from "./kafka";

/** Thrown by a handler when the message itself is bad: retrying cannot help, it goes to the DLQ. */
export class PermanentEventError extends Error {
  override name = "PermanentEventError";
}

export type EventOutcome = "processed" | "duplicate" | "skipped" | "dead_lettered" | "retried";

type Envelope = { eventId: string; eventType: string };

export interface ReliableHandlerOptions<E extends Envelope> {
  /** How the topic's envelopes are read (e.g. orderEventEnvelopes). */
  envelopes: EnvelopeReader<E>;
  /** Handles one valid envelope; resolves with how it went. Throw PermanentEventError for a bad message. */
  handle: (envelope: E, message: IncomingMessage) => Promise<"processed" | "duplicate" | "skipped">;
  dlq: EventProducer;
  /** Default: the message's topic with `.dlq` appended. */
  dlqTopic?: string;
  groupId: string;
  logger: Logger;
  /** In-process attempts for a failing handler before a permanent error is dead-lettered or a transient one is handed back to Kafka. */
  maxAttempts?: number;
  baseBackoffMs?: number;
  /** Deliveries whose attempts all failed before the message is dead-lettered, whatever the cause (default 5). */
  maxDeliveries?: number;
  /** Where failed deliveries are counted across redeliveries (default: in this process). */
  deliveries?: DeliveryCounter;
  /** `eventType` is a bounded label (the reader's typeLabel), never raw message content. */
  onOutcome?: (outcome: EventOutcome, eventType: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a consumer's business handler with the contract's delivery rules: the request id is
 * restored from the headers; a bad message goes to the DLQ with the error and its origin in
 * headers, so the partition moves on; any other failure is retried with backoff and, if it
 * persists, rethrown so Kafka redelivers from the last committed offset — until the message has
 * failed `maxDeliveries` deliveries, when it is dead-lettered too: never skipped, and never
 * blocking its partition for good.
 */
export function reliableHandler<E extends Envelope>(
  options: ReliableHandlerOptions<E>,
): MessageHandler {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseBackoffMs ?? 100;
  const sleep = options.sleep ?? defaultSleep;
  const { envelopes } = options;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const deliveries = options.deliveries ?? inMemoryDeliveryCounter();
  // The message, not its event id: a replay from the DLQ keeps the event id and starts afresh.
  const messageId = (m: IncomingMessage) =>
    `${options.groupId}:${m.topic}:${m.partition}:${m.offset}`;

  const deadLetter = async (
    message: IncomingMessage,
    error: Error,
    attempts: number,
    failedDeliveries = 1,
  ) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) headers[k] = v;
    await options.dlq.send(options.dlqTopic ?? `${message.topic}.dlq`, [
      {
        key: message.key ?? "",
        value: message.value?.toString() ?? "",
        headers: {
          ...headers,
          "dlq-error": error.message.slice(0, 1000),
          "dlq-error-type": error.name,
          "dlq-original-topic": message.topic,
          "dlq-original-partition": String(message.partition),
          "dlq-original-offset": message.offset,
          "dlq-consumer-group": options.groupId,
          "dlq-attempts": String(attempts),
          "dlq-deliveries": String(failedDeliveries),
        },
      },
    ]);
    options.logger.warn("event dead-lettered", {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      error: error.message,
    });
    options.onOutcome?.("dead_lettered", envelopes.typeLabel(message.headers["event-type"]));
  };

  return (message) =>
    runWithContext(
      contextFromHeaders(message.headers, { kind: "service", name: "kafka" }),
      async () => {
        let envelope: E;
        try {
          envelope = envelopes.parse(message.value);
        } catch (error) {
          if (error instanceof InvalidEnvelopeError) return deadLetter(message, error, 1);
          throw error;
        }
        for (let attempt = 1; ; attempt++) {
          try {
            const outcome = await options.handle(envelope, message);
            options.onOutcome?.(outcome, envelopes.typeLabel(envelope.eventType));
            return;
          } catch (error) {
            const err = error instanceof Error ? error : new Error(String(error));
            if (attempt >= maxAttempts) {
              if (err instanceof PermanentEventError) return deadLetter(message, err, attempt);
              const failed = await deliveries.failed(messageId(message));
              if (failed >= maxDeliveries) {
                await deadLetter(message, err, attempt, failed);
                await deliveries.settled(messageId(message));
                return;
              }
              options.logger.error(
                "event handling keeps failing; handing back to Kafka for redelivery",
                {
                  eventId: envelope.eventId,
                  attempts: attempt,
                  deliveries: failed,
                  error: err,
                },
              );
              throw err;
            }
            options.onOutcome?.("retried", envelopes.typeLabel(envelope.eventType));
            options.logger.warn("event handling failed; retrying", {
              eventId: envelope.eventId,
              attempt,
              error: err.message,
            });
            await sleep(jitteredBackoffMs(attempt, base, 5000, Math.random, 0.5));
          }
        }
      },
    );
}
