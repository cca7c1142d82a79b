import { randomUUID } from "node:crypto";
import { aProduct, call, reserve, startTestCatalog, type TestCatalog } from "./support";

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
    expect(
      (await call(t.url, "GET", `/api/v1/products/${product.id}`)).body.availableQuantity,
    ).toBe(1);
    const put = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      body: { quantity: 8 },
    });
    expect(put.status).toBe(200);
    expect(
      (await call(t.url, "GET", `/api/v1/products/${product.id}`)).body.availableQuantity,
    ).toBe(8);
  });

  it("stays ready (Redis is an optimisation, not a dependency) and counts cache errors", async () => {
    expect((await call(t.url, "GET", "/health/ready")).status).toBe(200);
    const metrics = await call<string>(t.url, "GET", "/metrics");
    expect(metrics.body).toMatch(/cache_lookups_total\{[^}]*result="error"[^}]*\} [1-9]/);
  });
});
