import { orderEventPayloadSchema, PermanentEventError, type EventEnvelope } from "@app/shared";
import { NOTIFIED_EVENT_TYPES, type OrderEventFacts } from "../domain/notification";

// The part of the contract's payload (docs/asyncapi.yaml) a notification needs.
const payloadSchema = orderEventPayloadSchema
  .pick({ userId: true, totalAmount: true, currency: true, items: true })
  .partial({ totalAmount: true, currency: true, items: true });

/** The facts of a known order event; null for types the notifier does not handle; throws for a broken payload. */
export function toFacts(envelope: EventEnvelope): OrderEventFacts | null {
  if (!(NOTIFIED_EVENT_TYPES as readonly string[]).includes(envelope.eventType)) return null;
  const payload = payloadSchema.safeParse(envelope.payload);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new PermanentEventError(
      `${envelope.eventType} ${envelope.eventId}: payload.${issue?.path.join(".")} ${issue?.message}`,
    );
  }
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    orderId: envelope.aggregateId,
    occurredAt: new Date(envelope.occurredAt),
    userId: payload.data.userId,
    totalAmount: payload.data.totalAmount,
    currency: payload.data.currency,
    // The whole snapshot, as webhook receivers get it; its checked parts above.
    order: envelope.payload as OrderEventFacts["order"],
  };
}
