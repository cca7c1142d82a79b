// Products for tests, made the way real ones come to exist: through the catalog's admin API.
import { randomUUID } from "node:crypto";
import { call } from "./http";

export interface ProductOverrides {
  sku?: string;
  name?: string;
  description?: string;
  price?: number;
  currency?: string;
  quantity?: number;
}

export interface CreatedProduct {
  id: string;
  sku: string;
  name: string;
  price: number;
  currency: string;
  availableQuantity: number;
  stockVersion: number;
}

/** Creates a product (10 blue mugs at 12.99 EUR unless told otherwise); throws unless 201. */
export async function createProduct(
  catalogUrl: string,
  adminToken: string,
  overrides: ProductOverrides = {},
): Promise<CreatedProduct> {
  const response = await call(catalogUrl, "POST", "/api/v1/products", {
    token: adminToken,
    body: {
      sku: overrides.sku ?? `SKU-${randomUUID().slice(0, 8)}`,
      name: overrides.name ?? "Blue mug",
      ...(overrides.description === undefined ? {} : { description: overrides.description }),
      price: overrides.price ?? 1299,
      currency: overrides.currency ?? "EUR",
      initialQuantity: overrides.quantity ?? 10,
    },
  });
  if (response.status !== 201)
    throw new Error(`product creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as unknown as CreatedProduct;
}
