import type { KeysetCursor as ListCursor } from "@app/shared";
import type { ProductCache, ProductPage, ProductRepository } from "./ports";

/** Newest first; only the first page is cached (deeper pages are rare and cursor-specific). */
export function listProducts(
  deps: { products: ProductRepository; cache: ProductCache },
  query: { limit: number; after?: ListCursor },
): Promise<ProductPage> {
  if (query.after) return deps.products.list(query.limit, query.after);
  return deps.cache.firstPage(query.limit, () => deps.products.list(query.limit));
}
