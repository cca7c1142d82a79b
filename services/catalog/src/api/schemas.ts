import { humanText, z } from "@app/shared";

// The same schemas validate requests and describe them in /openapi.json.
const MAX_QUANTITY = 2_147_483_647;

const sku = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "letters, digits, '.', '_' and '-', starting with a letter or digit",
  )
  .openapi({ example: "MUG-BLUE-350" });
const name = humanText().trim().min(1).max(200);
const description = humanText({ multiline: true }).max(5000).nullable();
const price = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ description: "Minor units (1999 = 19.99)", example: 1999 });
// The codes this runtime's ICU knows (ISO 4217's active currencies); "ZZZ" has the shape only.
const ISO_4217 = new Set(Intl.supportedValuesOf("currency"));
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, "an ISO 4217 code in capitals")
  .refine((code) => ISO_4217.has(code), "not an ISO 4217 currency code")
  .openapi({ example: "EUR" });
const quantity = z.number().int().min(0).max(MAX_QUANTITY);

export const productSchema = z
  .object({
    id: z.uuid(),
    sku: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    price: z.number().int(),
    currency: z.string(),
    availableQuantity: z.number().int(),
    stockVersion: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Product");

export const productPageSchema = z
  .object({ items: z.array(productSchema), nextCursor: z.string().nullable() })
  .openapi("ProductPage");

export const productIdParams = z.object({ id: z.uuid() });

export const createProductSchema = z
  .strictObject({
    sku,
    name,
    description: description.optional(),
    price,
    currency,
    initialQuantity: quantity,
  })
  .openapi("CreateProduct");

export const patchProductSchema = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    price: price.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    message: "give at least one of name, description, price",
  })
  .openapi("PatchProduct");

export const setStockSchema = z
  .strictObject({ quantity, expectedVersion: z.number().int().min(0).optional() })
  .openapi("SetStock");

export const stockLevelSchema = z
  .object({
    productId: z.uuid(),
    availableQuantity: z.number().int(),
    stockVersion: z.number().int(),
  })
  .openapi("StockLevel");

export const reserveSchema = z
  .object({
    reservationId: z.uuid(),
    items: z
      .array(z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(100_000) }))
      .min(1)
      .max(100),
  })
  .openapi("ReserveStock");

export const reservationIdParams = z.object({ id: z.uuid() });

export const reservationSchema = z
  .object({
    reservationId: z.uuid(),
    status: z.enum(["RESERVED", "CONFIRMED", "RELEASED"]),
    expiresAt: z.iso.datetime(),
    items: z.array(
      z.object({
        productId: z.uuid(),
        sku: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        unitPrice: z.number().int(),
        currency: z.string(),
      }),
    ),
  })
  .openapi("Reservation");

export const reservationStatusSchema = z
  .object({ reservationId: z.uuid(), status: z.enum(["RESERVED", "CONFIRMED", "RELEASED"]) })
  .openapi("ReservationStatus");
