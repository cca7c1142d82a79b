import { z } from "@app/shared";

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
});

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
