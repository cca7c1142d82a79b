import { messageFor, type OrderEventFacts } from "../domain/notification";
import type {
  Clock,
  IdGenerator,
  NotificationChannel,
  NotificationStore,
  NotifierHooks,
} from "./ports";

export interface NotifyDeps {
  store: NotificationStore;
  channel: NotificationChannel;
  clock: Clock;
  ids: IdGenerator;
  hooks?: NotifierHooks;
}

export type NotifyOutcome = "processed" | "duplicate" | "skipped";

/**
 * Turns one order event into at most one notification and sends it once: the event id is the
 * idempotency key of both the row and the send, so any number of deliveries ends the same way.
 */
export async function notifyOrderEvent(
  deps: NotifyDeps,
  facts: OrderEventFacts,
): Promise<NotifyOutcome> {
  const message = messageFor(facts);
  if (message === null) return "skipped";
  const result = await deps.store.record({
    id: deps.ids.next(),
    eventId: facts.eventId,
    userId: facts.userId,
    orderId: facts.orderId,
    type: facts.eventType,
    message,
    createdAt: deps.clock.now(),
    sentAt: null,
  });
  const notification = result.notification;
  // A delivery that stopped between the insert and the send finishes the send now.
  if (notification.sentAt === null) {
    await deps.channel.send(notification);
    await deps.store.markSent(notification.id, deps.clock.now());
  }
  await deps.hooks?.afterWrite?.(notification);
  return result.kind === "created" ? "processed" : "duplicate";
}
