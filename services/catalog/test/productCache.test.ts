import { createLogger } from "@app/shared";
import { testServers, uniqueName, waitFor } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Product } from "../src/domain/product";
import { RedisProductCache } from "../src/infrastructure/redisProductCache";

const logger = createLogger({ service: "catalog-test", silent: true });
const noMetrics = { cacheLookup: () => undefined };

let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(testServers().redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  prefix = `${uniqueName("catalog_cache")}:`;
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const aProductValue = (id: string, availableQuantity: number): Product => ({
  id,
  sku: "SKU",
  name: "Mug",
  description: null,
  price: 100,
  currency: "EUR",
  availableQuantity,
  stockVersion: 0,
  createdAt: new Date("2026-01-01T00:00:00.000Z"),
  updatedAt: new Date("2026-01-01T00:00:00.000Z"),
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("RedisProductCache", () => {
  it("loads a key once for 20 concurrent misses and serves the rest from Redis", async () => {
    // Every caller counts its miss right before it joins (or starts) the load: the load finishes
    // only once all 20 have missed, so they all overlap it.
    let misses = 0;
    const countingMetrics = {
      cacheLookup: (_cache: string, outcome: string) => void (outcome === "miss" && misses++),
    };
    const cache = new RedisProductCache(redis, { prefix, ttlSeconds: 60 }, countingMetrics, logger);
    const id = randomUUID();
    let loads = 0;
    const load = async () => {
      loads++;
      await waitFor(() => misses >= 20, { what: "20 misses" });
      return aProductValue(id, 5);
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.product(id, load)));
    expect(loads).toBe(1);
    for (const r of results) expect(r).toEqual(aProductValue(id, 5));
    expect(await cache.product(id, load)).toEqual(aProductValue(id, 5));
    expect(loads).toBe(1);
  });

  it("does not store a value loaded before a write that invalidated the key", async () => {
    const cache = new RedisProductCache(redis, { prefix, ttlSeconds: 60 }, noMetrics, logger);
    const id = randomUUID();
    const slowLoad = deferred<Product>();
    const loading = deferred<void>();
    // A reader misses and starts loading the pre-write value...
    const staleRead = cache.product(id, () => {
      loading.resolve();
      return slowLoad.promise;
    });
    await loading.promise;
    // ...a writer commits and invalidates...
    await cache.invalidate([id]);
    // ...a reader after the write does not join the old load and sees the new value.
    const fresh = await cache.product(id, async () => aProductValue(id, 2));
    expect(fresh?.availableQuantity).toBe(2);
    slowLoad.resolve(aProductValue(id, 9));
    expect((await staleRead)?.availableQuantity).toBe(9);
    // The slow reader's old value never reached Redis.
    expect((await cache.product(id, async () => aProductValue(id, 2)))?.availableQuantity).toBe(2);
  });

  it("does not cache a missing product", async () => {
    const cache = new RedisProductCache(redis, { prefix, ttlSeconds: 60 }, noMetrics, logger);
    const id = randomUUID();
    expect(await cache.product(id, async () => null)).toBeNull();
    expect(await cache.product(id, async () => aProductValue(id, 1))).toEqual(aProductValue(id, 1));
  });
});
