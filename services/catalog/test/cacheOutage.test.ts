import { randomUUID } from "node:crypto";
import { testServers, waitFor } from "@app/shared/testing";
import { metricValue } from "@app/shared/testing";
import {
  aProduct,
  availableOf,
  call,
  reserve,
  startTestCatalog,
  type TestCatalog,
} from "./support";
import { startTcpProxy, type TcpProxy } from "@app/shared/testing";

// Nothing listens on port 1: every Redis command fails at once, as in an outage.
const DEAD_REDIS = "redis://127.0.0.1:1";

let t: TestCatalog;

beforeAll(async () => {
  t = await startTestCatalog({ REDIS_URL: DEAD_REDIS });
});

afterAll(async () => {
  await t.close();
});

describe("when Redis is down", () => {
  it("still answers product reads with 200 from the database", async () => {
    const product = await aProduct(t, { quantity: 4 });
    const one = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect(one.status).toBe(200);
    expect(one.body.availableQuantity).toBe(4);
    const list = await call(t.url, "GET", "/api/v1/products");
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(product.id);
  });

  it("still takes writes and reservations, and reads show them", async () => {
    const product = await aProduct(t, { quantity: 4 });
    expect((await reserve(t, randomUUID(), [{ productId: product.id, quantity: 3 }])).status).toBe(
      201,
    );
    expect(await availableOf(t, product.id)).toBe(1);
    const put = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      body: { quantity: 8, expectedVersion: 1 },
    });
    expect(put.status).toBe(200);
    expect(await availableOf(t, product.id)).toBe(8);
  });

  it("stays ready (Redis is an optimisation, not a dependency) and counts cache errors", async () => {
    const product = await aProduct(t, { quantity: 1 });
    const errors = { cache: "product", result: "error" };
    const before = await metricValue(t.url, "catalog_cache_lookups_total", errors);

    expect((await call(t.url, "GET", `/api/v1/products/${product.id}`)).status).toBe(200);

    expect((await call(t.url, "GET", "/health/ready")).status).toBe(200);
    expect(await metricValue(t.url, "catalog_cache_lookups_total", errors)).toBe(before + 1);
  });
});

describe("when Redis goes away after the cache is warm", () => {
  let redisLink: TcpProxy;
  let w: TestCatalog;

  beforeAll(async () => {
    const redis = new URL(testServers().redisUrl);
    redisLink = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    w = await startTestCatalog({ REDIS_URL: `redis://127.0.0.1:${redisLink.port}` });
  });

  afterAll(async () => {
    await w?.close();
    await redisLink?.close();
  });

  const lookups = (result: "hit" | "miss" | "error") =>
    metricValue(w.url, "catalog_cache_lookups_total", { cache: "product", result });
  const availableOf = async (productId: string) => {
    const response = await call(w.url, "GET", `/api/v1/products/${productId}`);
    expect(response.status).toBe(200);
    return response.body.availableQuantity as number;
  };
  const firstPageQuantity = async (productId: string) => {
    const response = await call(w.url, "GET", "/api/v1/products?limit=5");
    expect(response.status).toBe(200);
    return response.body.items.find((p: { id: string }) => p.id === productId)?.availableQuantity;
  };

  /** Both the product's page and the first page of the list show `quantity` available. */
  const expectAvailable = async (productId: string, quantity: number) => {
    expect(await availableOf(productId)).toBe(quantity);
    expect(await firstPageQuantity(productId)).toBe(quantity);
  };

  /** Reserves `quantity` of a product in a new reservation, which must be accepted (201). */
  const reserveOf = async (productId: string, quantity: number) =>
    expect((await reserve(w, randomUUID(), [{ productId, quantity }])).status).toBe(201);

  it("answers from the database while Redis is cut, and shows no stale availableQuantity once it is back", async () => {
    const product = await aProduct(w, { quantity: 10 });
    await expectAvailable(product.id, 10);
    const hits = await lookups("hit");
    await expectAvailable(product.id, 10);
    expect(await lookups("hit")).toBe(hits + 1);

    redisLink.down();
    const errors = await lookups("error");
    expect(await availableOf(product.id)).toBe(10);
    expect(await lookups("error")).toBe(errors + 1);
    // Committed while Redis cannot hear of it: the warm entries above now hold the old quantity.
    await reserveOf(product.id, 3);
    await expectAvailable(product.id, 7);

    redisLink.up();
    const seen: number[] = [];
    const answered = (await lookups("hit")) + (await lookups("miss"));
    await waitFor(
      async () => {
        seen.push(await availableOf(product.id));
        return (await lookups("hit")) + (await lookups("miss")) > answered;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: "the catalog to use Redis again" },
    );
    expect(new Set(seen)).toEqual(new Set([7]));
    expect(await firstPageQuantity(product.id)).toBe(7);
    const hitsAfter = await lookups("hit");
    expect(await availableOf(product.id)).toBe(7);
    expect(await lookups("hit")).toBe(hitsAfter + 1);

    // And a write after the return invalidates as usual.
    await reserveOf(product.id, 2);
    await expectAvailable(product.id, 5);
  });
});
