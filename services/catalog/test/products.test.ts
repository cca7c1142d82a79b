import { randomUUID } from "node:crypto";
import { aProduct, call, reserve, startTestCatalog, stockOf, type TestCatalog } from "./support";

let t: TestCatalog;

beforeAll(async () => {
  t = await startTestCatalog();
});

afterAll(async () => {
  await t.close();
});

describe("POST /api/v1/products", () => {
  it("creates a product with its stock when an admin sends a valid body", async () => {
    const response = await call(t.url, "POST", "/api/v1/products", {
      token: t.adminToken,
      body: {
        sku: "MUG-1",
        name: "Mug",
        description: "Blue",
        price: 1999,
        currency: "EUR",
        initialQuantity: 7,
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe(`/api/v1/products/${response.body.id}`);
    expect(response.body).toMatchObject({
      sku: "MUG-1",
      name: "Mug",
      description: "Blue",
      price: 1999,
      currency: "EUR",
      availableQuantity: 7,
      stockVersion: 0,
    });
    expect(await stockOf(t, response.body.id)).toEqual({ quantity: 7, version: 0 });
  });

  it("returns 409 SKU_TAKEN when the sku exists", async () => {
    const existing = await aProduct(t);
    const response = await call(t.url, "POST", "/api/v1/products", {
      token: t.adminToken,
      body: { sku: existing.sku, name: "Other", price: 1, currency: "EUR", initialQuantity: 1 },
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(response.body).toMatchObject({ code: "SKU_TAKEN", status: 409 });
  });

  it("returns 400 VALIDATION_FAILED naming each bad field", async () => {
    const response = await call(t.url, "POST", "/api/v1/products", {
      token: t.adminToken,
      body: { sku: "", name: "x", price: 12.5, currency: "eur", initialQuantity: -1 },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("VALIDATION_FAILED");
    expect([...new Set(response.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual([
      "currency",
      "initialQuantity",
      "price",
      "sku",
    ]);
  });

  it("returns 400 for unknown fields and 400 MALFORMED_JSON for a broken body", async () => {
    const unknown = await call(t.url, "POST", "/api/v1/products", {
      token: t.adminToken,
      body: {
        sku: "A-1",
        name: "x",
        price: 1,
        currency: "EUR",
        initialQuantity: 1,
        stockVersion: 9,
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe("VALIDATION_FAILED");
    const broken = await call(t.url, "POST", "/api/v1/products", {
      token: t.adminToken,
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("MALFORMED_JSON");
  });

  it("returns 401 without a token and 403 FORBIDDEN for a customer", async () => {
    const body = { sku: "X-1", name: "x", price: 1, currency: "EUR", initialQuantity: 1 };
    const anonymous = await call(t.url, "POST", "/api/v1/products", { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe("UNAUTHENTICATED");
    const customer = await call(t.url, "POST", "/api/v1/products", {
      token: t.customerToken,
      body,
    });
    expect(customer.status).toBe(403);
    expect(customer.body.code).toBe("FORBIDDEN");
  });
});

describe("GET /api/v1/products/{id}", () => {
  it("returns the product to an anonymous caller", async () => {
    const product = await aProduct(t, { quantity: 3, price: 500 });
    const response = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: product.id,
      price: 500,
      availableQuantity: 3,
      stockVersion: 0,
    });
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("returns 404 PRODUCT_NOT_FOUND for an unknown or malformed id", async () => {
    for (const id of [randomUUID(), "not-a-uuid"]) {
      const response = await call(t.url, "GET", `/api/v1/products/${id}`);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe("PRODUCT_NOT_FOUND");
    }
  });
});

describe("PATCH /api/v1/products/{id}", () => {
  it("changes name and price and the next read shows them", async () => {
    const product = await aProduct(t, { price: 100 });
    await call(t.url, "GET", `/api/v1/products/${product.id}`); // warm the cache
    const response = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      body: { name: "Renamed", price: 250 },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: "Renamed", price: 250, sku: product.sku });
    const read = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect(read.body).toMatchObject({ name: "Renamed", price: 250 });
  });

  it("honours If-Match: the current ETag applies the patch, a stale one answers 412 and changes nothing", async () => {
    const product = await aProduct(t, { price: 100 });
    const read = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    const etag = read.headers.get("etag")!;
    // A reservation moves the stock part of the tag only: the product part still matches.
    expect((await reserve(t, randomUUID(), [{ productId: product.id, quantity: 1 }])).status).toBe(
      201,
    );

    const first = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      headers: { "if-match": etag },
      body: { price: 120 },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get("etag")).not.toBe(etag);

    const stale = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      headers: { "if-match": etag },
      body: { price: 999 },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ status: 412, code: "PRECONDITION_FAILED" });
    const after = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect(after.body.price).toBe(120);
    expect(after.headers.get("etag")).toBe(first.headers.get("etag"));
  });

  it("returns 404 for an unknown product, 400 for an empty or invalid patch, 403 for a customer", async () => {
    const product = await aProduct(t);
    expect(
      (
        await call(t.url, "PATCH", `/api/v1/products/${randomUUID()}`, {
          token: t.adminToken,
          body: { name: "x" },
        })
      ).status,
    ).toBe(404);
    const empty = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      body: {},
    });
    expect(empty.status).toBe(400);
    const sku = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      body: { sku: "NEW" },
    });
    expect(sku.status).toBe(400);
    const negative = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      body: { price: -1 },
    });
    expect(negative.body.errors[0].path).toBe("price");
    expect(
      (
        await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
          token: t.customerToken,
          body: { name: "x" },
        })
      ).status,
    ).toBe(403);
  });
});

describe("PUT /api/v1/products/{id}/stock", () => {
  it("sets the quantity, bumps the version, and the cached read shows the new quantity at once", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const before = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect(before.body.availableQuantity).toBe(5);
    const response = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      body: { quantity: 42, expectedVersion: 0 },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      productId: product.id,
      availableQuantity: 42,
      stockVersion: 1,
    });
    const after = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect(after.body).toMatchObject({ availableQuantity: 42, stockVersion: 1 });
  });

  it("returns 409 STOCK_VERSION_CONFLICT with the current version when expectedVersion is stale", async () => {
    const product = await aProduct(t, { quantity: 5 });
    await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      body: { quantity: 6, expectedVersion: 0 },
    });
    const response = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      body: { quantity: 9, expectedVersion: 0 },
    });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: "STOCK_VERSION_CONFLICT", currentVersion: 1 });
    expect(await stockOf(t, product.id)).toEqual({ quantity: 6, version: 1 });
  });

  it("answers 428 PRECONDITION_REQUIRED without If-Match or expectedVersion and leaves the stock alone", async () => {
    const product = await aProduct(t, { quantity: 5 });
    for (const headers of [{}, { "if-match": "*" }] as Record<string, string>[]) {
      const response = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
        token: t.adminToken,
        headers,
        body: { quantity: 50 },
      });
      expect(response.status).toBe(428);
      expect(response.body).toMatchObject({ status: 428, code: "PRECONDITION_REQUIRED" });
    }
    expect(await stockOf(t, product.id)).toEqual({ quantity: 5, version: 0 });
  });

  it("writes over the ETag of a product read (If-Match) and answers the stock's new ETag", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const read = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    const etag = read.headers.get("etag");
    expect(etag).toMatch(/^"0-\d+"$/);

    const response = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      headers: { "if-match": etag! },
      body: { quantity: 8 },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ availableQuantity: 8, stockVersion: 1 });
    expect(response.headers.get("etag")).toBe('"1"');
  });

  it("answers 412 PRECONDITION_FAILED with the current ETag when a reservation changed the stock since the read", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const read = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    expect((await reserve(t, randomUUID(), [{ productId: product.id, quantity: 2 }])).status).toBe(
      201,
    );

    const response = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      headers: { "if-match": read.headers.get("etag")! },
      body: { quantity: 5 },
    });

    expect(response.status).toBe(412);
    expect(response.body).toMatchObject({ status: 412, code: "PRECONDITION_FAILED" });
    expect(response.headers.get("etag")).toBe('"1"');
    // The reservation's two units are still held.
    expect(await stockOf(t, product.id)).toEqual({ quantity: 3, version: 1 });
    for (const stale of ['W/"1"', '"not-ours"']) {
      const weakOrForeign = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
        token: t.adminToken,
        headers: { "if-match": stale },
        body: { quantity: 5 },
      });
      expect(weakOrForeign.status).toBe(412);
    }
  });

  it("lets exactly one of two admins holding the same version win", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const results = await Promise.all(
      [11, 12].map((quantity) =>
        call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
          token: t.adminToken,
          body: { quantity, expectedVersion: 0 },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await stockOf(t, product.id)).version).toBe(1);
  });

  it("returns 404, 400 for a negative quantity, 401 and 403", async () => {
    const product = await aProduct(t);
    expect(
      (
        await call(t.url, "PUT", `/api/v1/products/${randomUUID()}/stock`, {
          token: t.adminToken,
          body: { quantity: 1, expectedVersion: 0 },
        })
      ).status,
    ).toBe(404);
    const negative = await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
      token: t.adminToken,
      body: { quantity: -1 },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.errors[0].path).toBe("quantity");
    expect(
      (await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, { body: { quantity: 1 } }))
        .status,
    ).toBe(401);
    expect(
      (
        await call(t.url, "PUT", `/api/v1/products/${product.id}/stock`, {
          token: t.customerToken,
          body: { quantity: 1 },
        })
      ).status,
    ).toBe(403);
  });
});

describe("GET /api/v1/products", () => {
  it("pages newest first with an opaque cursor until nextCursor is null", async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await aProduct(t));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page = await call(t.url, "GET", `/api/v1/products${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const newestFive = seen.slice(0, 5);
    expect(newestFive).toEqual(created.map((p) => p.id).reverse());
  });

  it("shows a new product on the first page right after it is created", async () => {
    await call(t.url, "GET", "/api/v1/products?limit=5");
    const product = await aProduct(t);
    const page = await call(t.url, "GET", "/api/v1/products?limit=5");
    expect(page.body.items[0].id).toBe(product.id);
  });

  it("returns 400 for a limit out of range or a cursor it did not issue", async () => {
    for (const query of ["?limit=0", "?limit=101", "?limit=abc", "?cursor=garbage"]) {
      const response = await call(t.url, "GET", `/api/v1/products${query}`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_FAILED");
    }
  });

  it("reads limit as decimal digits only: hex, exponent, sign or spaces are 400", async () => {
    // Number() reads all of these as numbers; a client sending them has a bug worth hearing of.
    for (const limit of ["0x10", "1e1", "+5", "%205", "5%20", "5.0"]) {
      const response = await call(t.url, "GET", `/api/v1/products?limit=${limit}`);
      expect([limit, response.status, response.body.code]).toEqual([
        limit,
        400,
        "VALIDATION_FAILED",
      ]);
    }
    const padded = await call(t.url, "GET", "/api/v1/products?limit=05");
    expect(padded.status).toBe(200);
    expect(padded.body.items.length).toBeLessThanOrEqual(5);
  });
});

describe("operations", () => {
  it("serves an OpenAPI 3.1 document naming every route", async () => {
    const response = await call(t.url, "GET", "/openapi.json");
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    expect(Object.keys(response.body.paths).sort()).toEqual([
      "/api/v1/products",
      "/api/v1/products/{id}",
      "/api/v1/products/{id}/stock",
      "/internal/v1/reservations",
      "/internal/v1/reservations/{id}/confirm",
      "/internal/v1/reservations/{id}/release",
    ]);
  });

  it("documents the statuses and headers the product routes really send", async () => {
    type Responses = Record<string, { headers?: Record<string, unknown> }>;
    const document = (await call(t.url, "GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, { responses: Responses }>>;
    };
    const responses = (method: string, path: string) => document.paths[path]![method]!.responses;
    const headers = (method: string, path: string, status: number) =>
      Object.keys(responses(method, path)[status]?.headers ?? {});

    for (const [method, path] of [
      ["post", "/api/v1/products"],
      ["patch", "/api/v1/products/{id}"],
      ["put", "/api/v1/products/{id}/stock"],
    ] as const) {
      expect(Object.keys(responses(method, path))).toEqual(
        expect.arrayContaining(["401", "413", "415", "500", "503"]),
      );
      expect(headers(method, path, 401)).toContain("WWW-Authenticate");
    }
    expect(headers("post", "/api/v1/products", 201)).toEqual(
      expect.arrayContaining(["Location", "ETag", "X-Request-Id"]),
    );
    expect(headers("put", "/api/v1/products/{id}/stock", 412)).toContain("ETag");
    expect(headers("get", "/api/v1/products/{id}", 304)).toEqual(["ETag", "X-Request-Id"]);

    // The documented 304: If-None-Match with the product's ETag (and no `no-cache`, which
    // fetch would add on its own) answers without a body.
    const product = await aProduct(t);
    const read = await call(t.url, "GET", `/api/v1/products/${product.id}`);
    const again = await call(t.url, "GET", `/api/v1/products/${product.id}`, {
      headers: { "if-none-match": read.headers.get("etag")!, "cache-control": "max-age=0" },
    });
    expect([again.status, again.headers.get("etag")]).toEqual([304, read.headers.get("etag")]);
    expect(again.headers.get("x-request-id")).toEqual(expect.any(String));
    // A body that is not JSON on PATCH: the documented 415.
    const notJson = await call(t.url, "PATCH", `/api/v1/products/${product.id}`, {
      token: t.adminToken,
      body: "name=x",
      headers: { "content-type": "text/plain" },
    });
    expect(notJson.status).toBe(415);
  });

  it("reports readiness and exposes cache metrics", async () => {
    expect((await call(t.url, "GET", "/health/ready")).status).toBe(200);
    const product = await aProduct(t);
    await call(t.url, "GET", `/api/v1/products/${product.id}`);
    await call(t.url, "GET", `/api/v1/products/${product.id}`);
    const metrics = await call<string>(t.url, "GET", "/metrics");
    expect(metrics.body).toMatch(
      /catalog_cache_lookups_total\{[^}]*cache="product"[^}]*result="hit"[^}]*\} [1-9]/,
    );
    expect(metrics.body).toMatch(
      /catalog_cache_lookups_total\{[^}]*cache="product"[^}]*result="miss"[^}]*\} [1-9]/,
    );
  });
});
