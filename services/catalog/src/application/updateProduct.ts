import type { Product, ProductPatch } from "../domain/product";
import type { Clock, ProductCache, ProductRepository } from "./ports";

export async function updateProduct(
  deps: { products: ProductRepository; cache: ProductCache; clock: Clock },
  id: string,
  patch: ProductPatch,
): Promise<Product | null> {
  const product = await deps.products.update(id, patch, deps.clock.now());
  if (product) await deps.cache.invalidate([id]);
  return product;
}
