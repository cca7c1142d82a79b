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

// The first-page cache: invalidated by every write, named apart from product ids.
const FIRST_PAGES = "first-pages";

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
 * failure falls through to the loader. An invalidation Redis could not take (an outage) is held
 * back, and this process skips the cache until it has been applied.
 */
export class RedisProductCache implements ProductCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly generationTtlSeconds: number;
  /** Invalidations that failed during a Redis outage (id -> sequence), held back until applied. */
  private readonly unapplied = new Map<string, number>();
  private unappliedSeq = 0;
  private applying: Promise<boolean> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly settings: { prefix: string; ttlSeconds: number },
    private readonly metrics: CacheMetrics,
    private readonly logger: Logger,
  ) {
    // Generations outlive any value by far, so a reset to "none" cannot match a stale load.
    this.generationTtlSeconds = Math.max(3600, settings.ttlSeconds * 10);
    // Right when Redis is back: other replicas read it too, and only this one knows what is stale.
    redis.on("ready", () => void this.applyUnapplied());
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
    if (await this.bumpGenerations(productIds)) return;
    // The write already committed; until Redis takes this invalidation, reads skip the cache.
    for (const id of [...productIds, FIRST_PAGES]) this.unapplied.set(id, ++this.unappliedSeq);
    this.logger.warn("cache invalidation failed; the cache is bypassed until Redis takes it", {
      products: productIds.length,
    });
  }

  private async bumpGenerations(productIds: string[]): Promise<boolean> {
    const p = this.settings.prefix;
    const ttl = this.generationTtlSeconds;
    const pipeline = this.redis.multi();
    for (const id of new Set(productIds)) {
      if (id === FIRST_PAGES) continue;
      pipeline
        .incr(`${p}gen:product:${id}`)
        .expire(`${p}gen:product:${id}`, ttl)
        .del(`${p}product:${id}`);
    }
    pipeline.incr(`${p}gen:products`).expire(`${p}gen:products`, ttl).del(`${p}products:first`);
    try {
      await pipeline.exec();
      return true;
    } catch (error) {
      this.logger.debug("cache invalidation did not reach Redis", {
        error: (error as Error).message,
      });
      return false;
    }
  }

  /**
   * Applies the invalidations an outage held back; true when none is left. Until then a value
   * in Redis may predate a committed write, so neither reads nor stores may use the cache.
   */
  private applyUnapplied(): Promise<boolean> {
    if (this.unapplied.size === 0) return Promise.resolve(true);
    this.applying ??= (async () => {
      const taken = new Map(this.unapplied);
      if (await this.bumpGenerations([...taken.keys()])) {
        // Only what this bump covered: an id invalidated again meanwhile stays for the next one.
        for (const [id, seq] of taken)
          if (this.unapplied.get(id) === seq) this.unapplied.delete(id);
        if (this.unapplied.size === 0) this.logger.info("held-back cache invalidations applied");
      }
      return this.unapplied.size === 0;
    })().finally(() => (this.applying = undefined));
    return this.applying;
  }

  private async read<T>(
    slot: Slot,
    codec: Codec<T>,
    load: () => Promise<T | null>,
  ): Promise<T | null> {
    if (!(await this.applyUnapplied())) {
      this.metrics.cacheLookup(slot.cache, "error");
      return load();
    }
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
    // A load that began before a held-back invalidation must not be stored: applying it first
    // bumps the generation, which the write script then refuses.
    if (value !== null && (await this.applyUnapplied())) {
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
