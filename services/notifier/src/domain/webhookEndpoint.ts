import type { Notification } from "./notification";

export type WebhookEndpointStatus = "ENABLED" | "DISABLED";

export interface WebhookEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  /** Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
  secret: string;
  status: WebhookEndpointStatus;
  disabledReason: string | null;
  /** The first failure since the last success; null while the endpoint answers. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function subscribes(endpoint: WebhookEndpoint, eventType: string): boolean {
  return endpoint.status === "ENABLED" && endpoint.eventTypes.includes(eventType);
}

/** An endpoint that has failed without a success for `disableAfterMs` is disabled. */
export function failingTooLong(failingSince: Date, now: Date, disableAfterMs: number): boolean {
  return now.getTime() - failingSince.getTime() >= disableAfterMs;
}

/**
 * The Standard Webhooks body: `type`, `timestamp` (the event's time) and `data` (the order
 * snapshot with the event and order ids). The event id travels as `webhook-id`.
 */
export function webhookBody(notification: Notification) {
  return {
    type: notification.type,
    timestamp: (notification.occurredAt ?? notification.createdAt).toISOString(),
    data: {
      ...notification.order,
      eventId: notification.eventId,
      orderId: notification.orderId,
      userId: notification.userId,
    },
  };
}
