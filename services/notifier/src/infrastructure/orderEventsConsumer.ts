import { KafkaClient, PermanentEventError, reliableHandler, type EventConsumer, type EventEnvelope, type EventOutcome, type EventProducer, type Logger } from "@app/shared";
import { z } from "zod";
import { NOTIFIED_EVENT_TYPES, type OrderEventFacts } from "../domain/notification";
import type { NotifyOutcome } from "../application/notifyOrderEvent";

const payloadSchema = z.object({
  userId: z.uuid(),
  totalAmount: z.number().int().optional(),
  currency: z.string().length(3).optional(),
});

/** The facts of a known order event; null for types the notifier does not handle; throws for a broken payload. */
export function toFacts(envelope: EventEnvelope): OrderEventFacts | null {
  if (!(NOTIFIED_EVENT_TYPES as readonly string[]).includes(envelope.eventType)) return null;
  const payload = payloadSchema.safeParse(envelope.payload);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new PermanentEventError(`${envelope.eventType} ${envelope.eventId}: payload.${issue?.path.join(".")} ${issue?.message}`);
  }
  return { eventId: envelope.eventId, eventType: envelope.eventType, orderId: envelope.aggregateId, ...payload.data };
}

export interface ConsumerSettings {
  brokers: string[];
  topic: string;
  groupId: string;
  concurrency: number;
  maxAttempts: number;
  backoffBaseMs: number;
}

export interface RunningConsumer {
  lag(): Promise<number>;
  stop(): Promise<void>;
}

/** Consumes order events through the shared reliable handler: retries, DLQ, request id, commit after the write. */
export async function startOrderEventsConsumer(
  settings: ConsumerSettings,
  handle: (facts: OrderEventFacts) => Promise<NotifyOutcome>,
  onOutcome: (outcome: EventOutcome, eventType: string) => void,
  logger: Logger,
): Promise<RunningConsumer> {
  const kafka = new KafkaClient({ brokers: settings.brokers, clientId: "notifier", logger });
  const dlqTopic = `${settings.topic}.dlq`;
  await kafka.ensureTopics([
    { topic: settings.topic, partitions: 3 },
    { topic: dlqTopic, partitions: 1 },
  ]);
  const dlq: EventProducer = await kafka.producer();
  const consumer: EventConsumer = kafka.consumer(settings.groupId);
  try {
    await consumer.run(
      [settings.topic],
      reliableHandler({
        groupId: settings.groupId,
        dlq,
        dlqTopic,
        logger,
        onOutcome,
        maxAttempts: settings.maxAttempts,
        baseBackoffMs: settings.backoffBaseMs,
        handle: async (envelope) => {
          const facts = toFacts(envelope);
          return facts ? handle(facts) : "skipped";
        },
      }),
      { partitionsConsumedConcurrently: settings.concurrency },
    );
  } catch (error) {
    await consumer.stop().catch(() => undefined);
    await dlq.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    lag: () => consumer.lag(settings.topic),
    async stop() {
      await consumer.stop();
      await dlq.disconnect();
    },
  };
}
