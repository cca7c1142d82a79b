import { z } from "@app/shared";

// The same schemas validate requests and describe them in /openapi.json.
export const MAX_LINES = 50;
export const MAX_QUANTITY = 1000;

export const placeOrderSchema = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          productId: z.uuid(),
          quantity: z.number().int().min(1).max(MAX_QUANTITY),
        }),
      )
      .min(1)
      .max(MAX_LINES)
      .refine((lines) => new Set(lines.map((l) => l.productId)).size === lines.length, {
        message: "each product may appear on one line only",
      }),
  })
  .openapi("PlaceOrder");

export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, "1..255 visible ASCII characters")
  .openapi({ description: "Scoped to the caller; kept 24 hours", example: "a3f1c2-checkout-1" });

export const orderSchema = z
  .object({
    id: z.uuid(),
    userId: z.string(),
    status: z.enum(["CREATED", "COMPLETED", "CANCELLED"]),
    items: z.array(
      z.object({
        productId: z.uuid(),
        sku: z.string(),
        name: z.string(),
        unitPrice: z.number().int(),
        quantity: z.number().int(),
        lineTotal: z.number().int(),
      }),
    ),
    totalAmount: z.number().int().openapi({ description: "Minor units" }),
    currency: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Order");

export const orderPageSchema = z
  .object({ items: z.array(orderSchema), nextCursor: z.string().nullable() })
  .openapi("OrderPage");

export const orderIdParams = z.object({ id: z.uuid() });

export const reservationIdParams = z.object({ reservationId: z.uuid() });

export const reservationStateSchema = z
  .object({
    reservationId: z.uuid(),
    state: z.enum(["ORDER_EXISTS", "NO_ORDER", "PENDING"]),
    orderId: z.uuid().optional(),
  })
  .openapi("ReservationOrderState");
