import { newId } from "../ids";
import { z } from "zod";
import { InvalidEnvelopeError, type EnvelopeReader } from "../events/envelopeReader";

export const ORDER_EVENTS_TOPIC = "order-events";
export const ORDER_EVENTS_DLQ_TOPIC = "order-events.dlq";

export const ORDER_EVENT_TYPES = ["ORDER_CREATED", "ORDER_CANCELLED", "ORDER_COMPLETED"] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/**
 * A metric label for an event type read from a message: the contract's types as they are,
 * anything else "unknown", so message content cannot mint new time series.
 */
export function eventTypeLabel(eventType: string | undefined): OrderEventType | "unknown" {
  return (ORDER_EVENT_TYPES as readonly (string | undefined)[]).includes(eventType)
    ? (eventType as OrderEventType)
    : "unknown";
}

/** The contract's event envelope; payload is validated by each consumer for the types it knows. */
export const eventEnvelopeSchema = z.object({
  eventId: z.uuid(),
  eventType: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  eventVersion: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  aggregateType: z.literal("order"),
  aggregateId: z.uuid(),
  payload: z.record(z.string(), z.unknown()),
});

export type EventEnvelope<P = Record<string, unknown>> = Omit<
  z.infer<typeof eventEnvelopeSchema>,
  "payload"
> & {
  payload: P;
};

export function createOrderEvent<P extends Record<string, unknown>>(
  eventType: OrderEventType,
  orderId: string,
  payload: P,
  now: Date = new Date(),
): EventEnvelope<P> {
  return {
    eventId: newId(),
    eventType,
    eventVersion: 1,
    occurredAt: now.toISOString(),
    aggregateType: "order",
    aggregateId: orderId,
    payload,
  };
}

/** Parses a raw message value; throws InvalidEnvelopeError for bad JSON or a bad envelope. */
export function parseEnvelope(raw: Buffer | string | null): EventEnvelope {
  if (raw === null) throw new InvalidEnvelopeError("message has no value");
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    throw new InvalidEnvelopeError("message value is not valid JSON");
  }
  const result = eventEnvelopeSchema.safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new InvalidEnvelopeError(`invalid envelope: ${first?.path.join(".")} ${first?.message}`);
  }
  return result.data;
}

/** Kafka headers every order event carries. */
export function eventHeaders(envelope: EventEnvelope, requestId?: string): Record<string, string> {
  return {
    "event-id": envelope.eventId,
    "event-type": envelope.eventType,
    ...(requestId ? { "x-request-id": requestId } : {}),
  };
}

/** The order-events contract as the Kafka plumbing reads it. */
export const orderEventEnvelopes: EnvelopeReader<EventEnvelope> = {
  parse: parseEnvelope,
  typeLabel: eventTypeLabel,
};
