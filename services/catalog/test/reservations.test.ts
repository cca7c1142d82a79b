import { randomUUID } from "node:crypto";
import { metricValue } from "@app/shared/testing";
import {
  aProduct,
  availableOf,
  call,
  catalogForFile,
  INTERNAL_TOKEN,
  reservationStatus,
  reserve,
  stockOf,
} from "./support";

const t = catalogForFile();

describe("POST /internal/v1/reservations", () => {
  it("reserves every line with the unit price of the moment and answers 201", async () => {
    const mug = await aProduct(t, { quantity: 5, price: 1299, name: "Mug" });
    const cup = await aProduct(t, { quantity: 2, price: 450, name: "Cup" });
    const reservationId = randomUUID();
    const response = await reserve(t, reservationId, [
      { productId: mug.id, quantity: 2 },
      { productId: cup.id, quantity: 1 },
    ]);
    expect(response.status).toBe(201);
    expect(response.body.reservationId).toBe(reservationId);
    expect(response.body.status).toBe("RESERVED");
    expect(new Date(response.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(response.body.items).toEqual(
      expect.arrayContaining([
        {
          productId: mug.id,
          sku: mug.sku,
          name: "Mug",
          quantity: 2,
          unitPrice: 1299,
          currency: "EUR",
        },
        {
          productId: cup.id,
          sku: cup.sku,
          name: "Cup",
          quantity: 1,
          unitPrice: 450,
          currency: "EUR",
        },
      ]),
    );
    expect(await stockOf(t, mug.id)).toEqual({ quantity: 3, version: 1 });
    expect(await stockOf(t, cup.id)).toEqual({ quantity: 1, version: 1 });
  });

  it("returns 409 OUT_OF_STOCK naming only the short lines and reserves nothing", async () => {
    const plenty = await aProduct(t, { quantity: 10 });
    const scarce = await aProduct(t, { quantity: 1 });
    const reservationId = randomUUID();
    const response = await reserve(t, reservationId, [
      { productId: plenty.id, quantity: 2 },
      { productId: scarce.id, quantity: 3 },
    ]);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      code: "OUT_OF_STOCK",
      shortItems: [{ productId: scarce.id, requested: 3, available: 1 }],
    });
    expect((await stockOf(t, plenty.id)).quantity).toBe(10);
    expect(await reservationStatus(t, reservationId)).toBeUndefined();
  });

  it("adds up repeated lines of one product before checking stock", async () => {
    const product = await aProduct(t, { quantity: 3 });
    const response = await reserve(t, randomUUID(), [
      { productId: product.id, quantity: 2 },
      { productId: product.id, quantity: 2 },
    ]);
    expect(response.status).toBe(409);
    expect(response.body.shortItems).toEqual([
      { productId: product.id, requested: 4, available: 3 },
    ]);
  });

  it("returns 422 PRODUCT_NOT_FOUND listing the unknown products", async () => {
    const product = await aProduct(t, { quantity: 3 });
    const unknown = randomUUID();
    const response = await reserve(t, randomUUID(), [
      { productId: product.id, quantity: 1 },
      { productId: unknown, quantity: 1 },
    ]);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: "PRODUCT_NOT_FOUND",
      missingProductIds: [unknown],
    });
    expect((await stockOf(t, product.id)).quantity).toBe(3);
  });

  it("returns 400 VALIDATION_FAILED for a bad body", async () => {
    for (const body of [
      {},
      { reservationId: "x", items: [] },
      { reservationId: randomUUID(), items: [{ productId: randomUUID(), quantity: 0 }] },
    ]) {
      const response = await call(t.url, "POST", "/internal/v1/reservations", {
        token: INTERNAL_TOKEN,
        body,
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_FAILED");
    }
  });

  it("returns 401 without service credentials, also for a user's admin token", async () => {
    const body = { reservationId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] };
    expect((await call(t.url, "POST", "/internal/v1/reservations", { body })).status).toBe(401);
    const admin = await call(t.url, "POST", "/internal/v1/reservations", {
      token: t.adminToken,
      body,
    });
    expect(admin.status).toBe(401);
    expect(admin.body.code).toBe("UNAUTHENTICATED");
  });

  it("shows the new availableQuantity on a cached read right after a reservation", async () => {
    const product = await aProduct(t, { quantity: 9 });
    expect(await availableOf(t, product.id)).toBe(9);
    expect((await call(t.url, "GET", "/api/v1/products?limit=3")).body.items[0]).toMatchObject({
      id: product.id,
      availableQuantity: 9,
    });
    await reserve(t, randomUUID(), [{ productId: product.id, quantity: 4 }]);
    expect((await call(t.url, "GET", `/api/v1/products/${product.id}`)).body).toMatchObject({
      availableQuantity: 5,
      stockVersion: 1,
    });
    expect((await call(t.url, "GET", "/api/v1/products?limit=3")).body.items[0]).toMatchObject({
      id: product.id,
      availableQuantity: 5,
    });
  });

  it("counts reservations by outcome in /metrics", async () => {
    const reserved = { outcome: "reserved" };
    const outOfStock = { outcome: "out_of_stock" };
    const before = {
      reserved: await metricValue(t.url, "catalog_reservations_total", reserved),
      outOfStock: await metricValue(t.url, "catalog_reservations_total", outOfStock),
    };
    const product = await aProduct(t, { quantity: 1 });

    await reserve(t, randomUUID(), [{ productId: product.id, quantity: 1 }]);
    await reserve(t, randomUUID(), [{ productId: product.id, quantity: 1 }]);

    expect(await metricValue(t.url, "catalog_reservations_total", reserved)).toBe(
      before.reserved + 1,
    );
    expect(await metricValue(t.url, "catalog_reservations_total", outOfStock)).toBe(
      before.outOfStock + 1,
    );
  });
});
