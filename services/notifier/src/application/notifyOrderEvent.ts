import type { DeliveryChannel } from "../domain/delivery";
import { messageFor, type OrderEventFacts } from "../domain/notification";
import { subscribes } from "../domain/webhookEndpoint";
import type {
  Clock,
  IdGenerator,
  NewDelivery,
  NewNotification,
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
  const [outcome] = await notifyOrderEvents(deps, [facts]);
  return outcome!;
}

/**
 * notifyOrderEvent for a batch of events (a fetched Kafka batch), one outcome each in order:
 * the preferences and endpoints read once, every notification and delivery written in one
 * transaction, events already notified (or twice in the batch) left as they are.
 */
export async function notifyOrderEvents(
  deps: NotifyDeps,
  batch: OrderEventFacts[],
): Promise<NotifyOutcome[]> {
  const notified = batch.flatMap((facts) => {
    const message = messageFor(facts);
    return message === null ? [] : [{ facts, message }];
  });
  if (!notified.length) return batch.map(() => "skipped");
  const now = deps.clock.now();
  const delivery = (channel: DeliveryChannel, target: string): NewDelivery => ({
    id: deps.ids.newId(),
    channel,
    target,
    nextAttemptAt: now,
  });
  // Independent reads, side by side.
  const [emailOff, enabled] = await Promise.all([
    deps.emailEnabled
      ? deps.preferences.emailTurnedOff([...new Set(notified.map((n) => n.facts.userId))])
      : undefined,
    deps.endpoints.enabled(),
  ]);
  const entries: NewNotification[] = notified.map(({ facts, message }) => ({
    notification: {
      id: deps.ids.newId(),
      eventId: facts.eventId,
      userId: facts.userId,
      orderId: facts.orderId,
      type: facts.eventType,
      message,
      createdAt: now,
      order: facts.order,
      occurredAt: facts.occurredAt,
    },
    deliveries: [
      ...(emailOff && !emailOff.has(facts.userId) ? [delivery("EMAIL", facts.userId)] : []),
      ...enabled
        .filter((e) => subscribes(e, facts.eventType))
        .map((e) => delivery("WEBHOOK", e.id)),
    ],
  }));
  const results = await deps.store.recordAll(entries);
  const outcomes = new Map<OrderEventFacts, NotifyOutcome>();
  for (const [i, result] of results.entries()) {
    await deps.hooks?.afterWrite?.(result.notification);
    outcomes.set(notified[i]!.facts, result.kind === "created" ? "processed" : "duplicate");
  }
  return batch.map((facts) => outcomes.get(facts) ?? "skipped");
}
