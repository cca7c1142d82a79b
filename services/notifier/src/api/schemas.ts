import { z } from "@app/shared";
import { NOTIFIED_EVENT_TYPES } from "../domain/notification";

export const notificationSchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    type: z.string().openapi({ example: "ORDER_CREATED" }),
    orderId: z.uuid(),
    message: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Notification");

export const notificationPageSchema = z
  .object({ items: z.array(notificationSchema), nextCursor: z.string().nullable() })
  .openapi("NotificationPage");

const eventType = z.enum(NOTIFIED_EVENT_TYPES);

export const registerEndpointRequest = z
  .object({
    url: z
      .string()
      .max(2048)
      .openapi({ format: "uri", example: "https://erp.example.com/hooks/orders" }),
    eventTypes: z.array(eventType).min(1).max(NOTIFIED_EVENT_TYPES.length),
  })
  .openapi("RegisterWebhookEndpointRequest");

export const endpointIdParams = z.object({ id: z.uuid() });

const endpointFields = {
  id: z.uuid(),
  url: z.string(),
  eventTypes: z.array(eventType),
  status: z.enum(["ENABLED", "DISABLED"]),
  disabledReason: z.string().nullable(),
  failingSince: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const endpointSchema = z.object(endpointFields).openapi("WebhookEndpoint");

export const endpointWithSecretSchema = z
  .object({
    ...endpointFields,
    secret: z.string().openapi({
      description:
        "The Standard Webhooks signing secret (whsec_...). Shown only when created or rotated.",
    }),
  })
  .openapi("WebhookEndpointWithSecret");

export const endpointPageSchema = z
  .object({ items: z.array(endpointSchema), nextCursor: z.string().nullable() })
  .openapi("WebhookEndpointPage");

export const preferencesRequest = z
  .object({ email: z.boolean().openapi({ description: "Send an email for each order event" }) })
  .strict()
  .openapi("NotificationPreferencesRequest");

export const preferencesSchema = z
  .object({ email: z.boolean(), updatedAt: z.iso.datetime().nullable() })
  .openapi("NotificationPreferences");
