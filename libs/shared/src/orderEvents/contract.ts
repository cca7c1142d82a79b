import { z } from "zod";
import { eventEnvelopeSchema, ORDER_EVENT_TYPES } from "./envelope";

// The events' contract as schemas: consumers parse with them, and docs/asyncapi.yaml is
// generated from them (scripts/docs/asyncapi.ts), so the description cannot drift.

const money = z.number().int().describe("Minor units (1999 = 19.99)");

export const orderEventItemSchema = z.object({
  productId: z.uuid(),
  sku: z.string(),
  name: z.string(),
  unitPrice: money,
  quantity: z.number().int().min(1),
  lineTotal: money,
});

/** The order as it is after the change, plus the stock reservation that holds its items. */
export const orderEventPayloadSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    status: z.enum(["CREATED", "COMPLETED", "CANCELLED"]),
    items: z.array(orderEventItemSchema).min(1),
    totalAmount: money,
    currency: z.string().length(3).describe("ISO 4217"),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
    reservationId: z.string().min(1).max(36),
  })
  .describe("The order after the change, with its stock reservation id");

/** Each event type's payload (all three carry the order snapshot today). */
export const orderEventPayloadSchemas = Object.fromEntries(
  ORDER_EVENT_TYPES.map((type) => [type, orderEventPayloadSchema]),
) as Record<(typeof ORDER_EVENT_TYPES)[number], typeof orderEventPayloadSchema>;

export const orderEventDescriptions: Record<(typeof ORDER_EVENT_TYPES)[number], string> = {
  ORDER_CREATED: "An order was placed; its stock reservation is to be confirmed.",
  ORDER_CANCELLED: "A CREATED order was cancelled; its stock reservation is to be released.",
  ORDER_COMPLETED: "A CREATED order was completed.",
};

/** The envelope schema with its members described, for documents generated from it. */
export const describedEnvelopeSchema = eventEnvelopeSchema.extend({
  eventId: eventEnvelopeSchema.shape.eventId.describe(
    "Unique per event; consumers are idempotent on it, and a DLQ replay keeps it",
  ),
  eventVersion: eventEnvelopeSchema.shape.eventVersion.describe(
    "Payload version; a breaking payload change gets a new one",
  ),
  aggregateId: eventEnvelopeSchema.shape.aggregateId.describe("The order id (also the key)"),
});

/** Kafka headers of every order event. */
export const orderEventHeadersSchema = z.object({
  "event-id": z.uuid().describe("The envelope's eventId"),
  "event-type": z.string().describe("The envelope's eventType"),
  "x-request-id": z.string().optional().describe("The request that caused the event"),
  traceparent: z.string().optional().describe("W3C trace context of that request"),
  "dlq-replayed-from": z
    .string()
    .optional()
    .describe("On an event replayed from the dead-letter topic: <dlq topic>/<partition>/<offset>"),
});

/** Headers a dead-lettered message carries on top of its original ones. */
export const deadLetterHeadersSchema = orderEventHeadersSchema.partial().extend({
  "dlq-error": z.string().describe("Why it was dead-lettered (at most 1000 characters)"),
  "dlq-error-type": z.string().describe("The error's class, e.g. PermanentEventError"),
  "dlq-original-topic": z.string(),
  "dlq-original-partition": z.string().regex(/^\d+$/),
  "dlq-original-offset": z.string().regex(/^\d+$/),
  "dlq-consumer-group": z.string().describe("The consumer group that gave up on it"),
  "dlq-attempts": z.string().regex(/^\d+$/).describe("How many times it was tried"),
  "dlq-deliveries": z
    .string()
    .regex(/^\d+$/)
    .optional()
    .describe("How many deliveries of the event failed, counted across the group's members"),
});

export type DeadLetterHeaders = z.infer<typeof deadLetterHeadersSchema>;

/** Message key: the order id, so one order's events stay in one partition, in order. */
export const orderEventKeySchema = z.uuid().describe("The order id (aggregateId)");
