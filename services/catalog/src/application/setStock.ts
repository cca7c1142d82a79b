import type { Clock, ProductCache, SetStockResult, StockRepository } from "./ports";

export async function setStock(
  deps: { stocks: StockRepository; cache: ProductCache; clock: Clock },
  input: { productId: string; quantity: number; expectedVersion?: number },
): Promise<SetStockResult> {
  const result = await deps.stocks.setQuantity(
    input.productId,
    input.quantity,
    input.expectedVersion,
    deps.clock.now(),
  );
  if (result.kind === "updated") await deps.cache.invalidate([input.productId]);
  return result;
}
