import { newId } from "@app/shared";
import type { NewProduct, Product } from "../domain/product";
import type { Clock, ProductCache, ProductRepository } from "./ports";

export type CreateProductResult = { kind: "created"; product: Product } | { kind: "sku_taken" };

export async function createProduct(
  deps: { products: ProductRepository; cache: ProductCache; clock: Clock },
  input: NewProduct,
): Promise<CreateProductResult> {
  const result = await deps.products.create(newId(), input, deps.clock.now());
  // A new product heads the newest-first list.
  if (result.kind === "created") await deps.cache.invalidate([result.product.id]);
  return result;
}
