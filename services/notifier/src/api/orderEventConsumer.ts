import {
  orderEventEnvelopes,
  traceUseCase,
  type ConsumerEntryPoint,
  type EventEnvelope,
  type EventOutcome,
} from "@app/shared";
import {
  notifyOrderEvent,
  notifyOrderEvents,
  type NotifyDeps,
} from "../application/notifyOrderEvent";
import type { OrderEventFacts } from "../domain/notification";
import { toFacts } from "./orderEventPayload";

/**
 * The notifier's Kafka entry point, as its routes are the HTTP one: an order's event becomes a
 * notification (a fetched batch at once). main.ts adds the wiring (brokers, group, dead letters).
 */
export function orderEventConsumer(
  deps: NotifyDeps,
  countOutcome: (outcome: EventOutcome, eventType: string) => void,
): ConsumerEntryPoint<OrderEventFacts, EventEnvelope> {
  return {
    envelopes: orderEventEnvelopes,
    parse: toFacts,
    handle: (facts) => traceUseCase("notifyOrderEvent", () => notifyOrderEvent(deps, facts)),
    handleBatch: (batch) => traceUseCase("notifyOrderEvent", () => notifyOrderEvents(deps, batch)),
    onOutcome: countOutcome,
  };
}
