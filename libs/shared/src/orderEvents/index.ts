// The order-events contract: topic names, event types, the envelope and its payload schemas.
export {
  createOrderEvent,
  eventEnvelopeSchema,
  eventHeaders,
  eventTypeLabel,
  ORDER_EVENT_TYPES,
  ORDER_EVENTS_DLQ_TOPIC,
  ORDER_EVENTS_TOPIC,
  orderEventEnvelopes,
  parseEnvelope,
  type EventEnvelope,
  type OrderEventType,
} from "./envelope";
export {
  deadLetterHeadersSchema,
  describedEnvelopeSchema,
  orderEventDescriptions,
  orderEventHeadersSchema,
  orderEventItemSchema,
  orderEventKeySchema,
  orderEventPayloadSchema,
  orderEventPayloadSchemas,
  type DeadLetterHeaders,
} from "./contract";
