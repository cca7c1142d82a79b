import type { ProductPatch } from "../domain/product";
import type { Clock, ProductCache, ProductRepository, UpdateProductResult } from "./ports";

/** With `ifUpdatedAt` (from If-Match), applies only over the version of the product the admin saw. */
export async function updateProduct(
  deps: { products: ProductRepository; cache: ProductCache; clock: Clock },
  id: string,
  patch: ProductPatch,
  ifUpdatedAt?: Date[],
): Promise<UpdateProductResult> {
  const result = await deps.products.update(id, patch, deps.clock.now(), ifUpdatedAt);
  if (result.kind === "updated") await deps.cache.invalidate([id]);
  return result;
}
