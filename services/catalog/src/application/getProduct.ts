import type { Product } from "../domain/product";
import type { ProductCache, ProductRepository } from "./ports";

export function getProduct(
  deps: { products: ProductRepository; cache: ProductCache },
  id: string,
): Promise<Product | null> {
  return deps.cache.product(id, () => deps.products.findById(id));
}
