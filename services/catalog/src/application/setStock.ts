import type { Clock, ProductCache, SetStockResult, StockRepository } from "./ports";

/** Sets a quantity only over a stock version the admin saw: never blindly over reservations. */
export async function setStock(
  deps: { stocks: StockRepository; cache: ProductCache; clock: Clock },
  input: { productId: string; quantity: number; acceptedVersions: number[] },
): Promise<SetStockResult> {
  const result = await deps.stocks.setQuantity(
    input.productId,
    input.quantity,
    input.acceptedVersions,
    deps.clock.now(),
  );
  if (result.kind === "updated") await deps.cache.invalidate([input.productId]);
  return result;
}
