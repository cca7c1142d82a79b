import type { Logger } from "@app/shared";
import type { Redis } from "ioredis";
import type { ProductCache, ProductPage } from "../application/ports";
import type { Product } from "../domain/product";

export type CacheName = "product" | "product_list";
export type CacheResult = "hit" | "miss" | "error";

export interface CacheMetrics {
  cacheLookup(cache: CacheName, result: CacheResult): void;
}

// Reads the value and its key's generation in one round trip.
const READ_SCRIPT = `
local v
if ARGV[1] ~= '' then v = redis.call('HGET', KEYS[1], ARGV[1]) else v = redis.call('GET', KEYS[1]) end
return { v, redis.call('GET', KEYS[2]) }`;

// Stores a loaded value only if no write invalidated the key since the load began (the
// generation is unchanged); otherwise a slow reader could put a pre-write value back.
const WRITE_SCRIPT = `
local g = redis.call('GET', KEYS[2]) or ''
if g ~= ARGV[1] then return 0 end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[4], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 1`;

interface Slot {
  cache: CacheName;
  key: string;
  field: string;
  genKey: string;
}

type Codec<T> = { encode(value: T): string; decode(text: string): T };

const reviveProduct = (p: Product): Product => ({
  ...p,
  createdAt: new Date(p.createdAt),
  updatedAt: new Date(p.updatedAt),
});

const productCodec: Codec<Product> = {
  encode: (p) => JSON.stringify(p),
  decode: (text) => reviveProduct(JSON.parse(text) as Product),
};

const pageCodec: Codec<ProductPage> = {
  encode: (page) => JSON.stringify(page),
  decode: (text) => {
    const page = JSON.parse(text) as ProductPage;
    return {
      items: page.items.map(reviveProduct),
      next: page.next ? { createdAt: new Date(page.next.createdAt), id: page.next.id } : null,
    };
  },
};

/**
 * Cache-aside with per-key generations: a write bumps the generation and deletes the value,
 * so a read after a write never gets the old value, even from a load that started before it.
 * Concurrent misses for one key and generation share one load in this process. Any Redis
 * failure falls through to the loader.
 */
export class RedisProductCache implements ProductCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly generationTtlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly settings: { prefix: string; ttlSeconds: number },
    private readonly metrics: CacheMetrics,
    private readonly logger: Logger,
  ) {
    // Generations outlive any value by far, so a reset to "none" cannot match a stale load.
    this.generationTtlSeconds = Math.max(3600, settings.ttlSeconds * 10);
  }

  product(id: string, load: () => Promise<Product | null>): Promise<Product | null> {
    const p = this.settings.prefix;
    return this.read(
      { cache: "product", key: `${p}product:${id}`, field: "", genKey: `${p}gen:product:${id}` },
      productCodec,
      load,
    );
  }

  async firstPage(limit: number, load: () => Promise<ProductPage>): Promise<ProductPage> {
    const p = this.settings.prefix;
    const page = await this.read(
      {
        cache: "product_list",
        key: `${p}products:first`,
        field: String(limit),
        genKey: `${p}gen:products`,
      },
      pageCodec,
      load,
    );
    return page ?? load();
  }

  async invalidate(productIds: string[]): Promise<void> {
    const p = this.settings.prefix;
    const ttl = this.generationTtlSeconds;
    const pipeline = this.redis.multi();
    for (const id of new Set(productIds)) {
      pipeline
        .incr(`${p}gen:product:${id}`)
        .expire(`${p}gen:product:${id}`, ttl)
        .del(`${p}product:${id}`);
    }
    pipeline.incr(`${p}gen:products`).expire(`${p}gen:products`, ttl).del(`${p}products:first`);
    try {
      await pipeline.exec();
    } catch (error) {
      // The value expires with its TTL; the write itself already committed.
      this.logger.warn("cache invalidation failed", {
        error: (error as Error).message,
        products: productIds.length,
      });
    }
  }

  private async read<T>(
    slot: Slot,
    codec: Codec<T>,
    load: () => Promise<T | null>,
  ): Promise<T | null> {
    let generation: string;
    try {
      const [value, gen] = (await this.redis.eval(
        READ_SCRIPT,
        2,
        slot.key,
        slot.genKey,
        slot.field,
      )) as [string | null, string | null];
      if (value !== null) {
        this.metrics.cacheLookup(slot.cache, "hit");
        return codec.decode(value);
      }
      generation = gen ?? "";
    } catch (error) {
      this.metrics.cacheLookup(slot.cache, "error");
      this.logger.debug("cache read failed; reading the database", {
        error: (error as Error).message,
      });
      return load();
    }
    this.metrics.cacheLookup(slot.cache, "miss");
    const flightKey = `${slot.key}|${slot.field}|${generation}`;
    const existing = this.inFlight.get(flightKey) as Promise<T | null> | undefined;
    if (existing) return existing;
    const flight = this.loadAndStore(slot, codec, load, generation).finally(() =>
      this.inFlight.delete(flightKey),
    );
    this.inFlight.set(flightKey, flight);
    return flight;
  }

  private async loadAndStore<T>(
    slot: Slot,
    codec: Codec<T>,
    load: () => Promise<T | null>,
    generation: string,
  ): Promise<T | null> {
    const value = await load();
    if (value !== null) {
      await this.redis
        .eval(
          WRITE_SCRIPT,
          2,
          slot.key,
          slot.genKey,
          generation,
          codec.encode(value),
          this.settings.ttlSeconds,
          slot.field,
        )
        .catch((error: Error) => this.logger.debug("cache write failed", { error: error.message }));
    }
    return value;
  }
}
