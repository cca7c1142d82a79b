import { KafkaClient, PermanentEventError, reliableHandler, type EventConsumer, type EventEnvelope, type EventProducer, type Logger } from "@app/shared";
import { z } from "zod";
import type { EventHandlingOutcome, OrderEvent } from "../application/handleOrderEvent";

const payloadSchema = z.object({ reservationId: z.string().min(1).max(36) });

/** Only the events the catalog acts on need a reservation id; the others pass untouched. */
const RELEVANT = new Set(["ORDER_CREATED", "ORDER_CANCELLED"]);

export function toOrderEvent(envelope: EventEnvelope): OrderEvent | null {
  if (!RELEVANT.has(envelope.eventType)) return null;
  const payload = payloadSchema.safeParse(envelope.payload);
  if (!payload.success) throw new PermanentEventError(`${envelope.eventType} ${envelope.eventId} has no reservationId`);
  return { eventId: envelope.eventId, eventType: envelope.eventType, reservationId: payload.data.reservationId };
}

export interface OrderEventsConsumerSettings {
  brokers: string[];
  topic: string;
  groupId: string;
}

export interface RunningConsumer {
  stop(): Promise<void>;
  lag(): Promise<number>;
}

/** Consumes order events through the shared reliable handler (retries, DLQ, request id). */
export async function startOrderEventsConsumer(
  settings: OrderEventsConsumerSettings,
  handle: (event: OrderEvent) => Promise<EventHandlingOutcome>,
  onOutcome: (outcome: string, eventType: string) => void,
  logger: Logger,
): Promise<RunningConsumer> {
  const kafka = new KafkaClient({ brokers: settings.brokers, clientId: "catalog", logger });
  const dlqTopic = `${settings.topic}.dlq`;
  await kafka.ensureTopics([
    { topic: settings.topic, partitions: 3 },
    { topic: dlqTopic, partitions: 1 },
  ]);
  const dlq: EventProducer = await kafka.producer();
  const consumer: EventConsumer = kafka.consumer(settings.groupId);
  await consumer.run(
    [settings.topic],
    reliableHandler({
      groupId: settings.groupId,
      dlq,
      dlqTopic,
      logger,
      onOutcome,
      handle: async (envelope) => {
        const event = toOrderEvent(envelope);
        return event ? handle(event) : "skipped";
      },
    }),
  );
  return {
    lag: () => consumer.lag(settings.topic),
    async stop() {
      await consumer.stop();
      await dlq.disconnect();
    },
  };
}
