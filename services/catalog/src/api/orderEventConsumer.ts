import {
  orderEventEnvelopes,
  traceUseCase,
  type ConsumerEntryPoint,
  type EventEnvelope,
  type EventOutcome,
  type Logger,
} from "@app/shared";
import { handleOrderEvent, type OrderEvent } from "../application/handleOrderEvent";
import type { SettleDeps } from "../application/settleReservation";
import { toOrderEvent } from "./orderEventPayload";

/**
 * The catalog's Kafka entry point, as its routes are the HTTP one: an order's event confirms or
 * releases its reservation. main.ts adds the wiring (brokers, group, dead letters).
 */
export function orderEventConsumer(
  deps: SettleDeps & { logger: Logger },
  countOutcome: (outcome: EventOutcome, eventType: string) => void,
): ConsumerEntryPoint<OrderEvent, EventEnvelope> {
  return {
    envelopes: orderEventEnvelopes,
    parse: toOrderEvent,
    handle: (event) => traceUseCase("handleOrderEvent", () => handleOrderEvent(deps, event)),
    onOutcome: countOutcome,
  };
}
