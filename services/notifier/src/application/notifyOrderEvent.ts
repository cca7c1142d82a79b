import type { DeliveryChannel } from "../domain/delivery";
import { messageFor, type OrderEventFacts } from "../domain/notification";
import { subscribes } from "../domain/webhookEndpoint";
import type {
  Clock,
  IdGenerator,
  NewDelivery,
  NotificationStore,
  NotifierHooks,
  PreferenceStore,
  WebhookEndpointStore,
} from "./ports";

export interface NotifyDeps {
  store: NotificationStore;
  preferences: PreferenceStore;
  endpoints: WebhookEndpointStore;
  /** False when no SMTP server is configured: no email deliveries are written. */
  emailEnabled: boolean;
  clock: Clock;
  ids: IdGenerator;
  hooks?: NotifierHooks;
}

export type NotifyOutcome = "processed" | "duplicate" | "skipped";

/**
 * Turns one order event into at most one notification and its deliveries (an email unless the
 * customer turned email off, one call per webhook endpoint subscribed to the type), written
 * together; the delivery worker sends them. Nothing here waits on a mail server or an endpoint,
 * and the event id keeps any number of Kafka deliveries to one notification.
 */
export async function notifyOrderEvent(
  deps: NotifyDeps,
  facts: OrderEventFacts,
): Promise<NotifyOutcome> {
  const message = messageFor(facts);
  if (message === null) return "skipped";
  const now = deps.clock.now();
  const delivery = (channel: DeliveryChannel, target: string): NewDelivery => ({
    id: deps.ids.next(),
    channel,
    target,
    nextAttemptAt: now,
  });
  const wantsEmail = deps.emailEnabled && (await deps.preferences.get(facts.userId)).email;
  const endpoints = (await deps.endpoints.enabled()).filter((e) => subscribes(e, facts.eventType));
  const result = await deps.store.record(
    {
      id: deps.ids.next(),
      eventId: facts.eventId,
      userId: facts.userId,
      orderId: facts.orderId,
      type: facts.eventType,
      message,
      createdAt: now,
      order: facts.order,
      occurredAt: facts.occurredAt,
    },
    [
      ...(wantsEmail ? [delivery("EMAIL", facts.userId)] : []),
      ...endpoints.map((e) => delivery("WEBHOOK", e.id)),
    ],
  );
  await deps.hooks?.afterWrite?.(result.notification);
  return result.kind === "created" ? "processed" : "duplicate";
}
