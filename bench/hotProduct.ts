// One product, 50 units, 100 buyers placing one order each at the same moment, through the
// gateway: exactly 50 must succeed; we time the sell-out and count the catalog's version-
// conflict retries (its own metric, read before and after).
import { randomUUID } from "node:crypto";
import { call, createProducts, expectStatus } from "./client";

export interface HotRound {
  created: number;
  outOfStock: number;
  other: number;
  finalStock: number;
  sellOutMs: number;
  conflictRetries: number;
}

async function conflictRetries(catalogUrl: string): Promise<number> {
  const text = await (await fetch(`${catalogUrl}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => /^\w*catalog_stock_version_conflict_retries_total(\{.*\})? /.test(line))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

/** One buyer's order of one unit through the gateway, with a fresh Idempotency-Key. */
function orderOneUnit(gateway: string, token: string, productId: string): Promise<Response> {
  return fetch(`${gateway}/api/v1/orders`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "idempotency-key": randomUUID(),
    },
    body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
  });
}

export async function hotProductRound(
  gateway: string,
  catalogUrl: string,
  adminToken: string,
  buyerTokens: string[],
  units: number,
): Promise<HotRound> {
  const [productId] = await createProducts(gateway, adminToken, 1, units, "HOT");
  const retriesBefore = await conflictRetries(catalogUrl);
  const started = performance.now();
  const answers = await Promise.all(
    buyerTokens.map((token) =>
      orderOneUnit(gateway, token, productId!).then(async (res) => ({
        status: res.status,
        code: res.status === 201 ? undefined : ((await res.json()) as { code?: string }).code,
      })),
    ),
  );
  const sellOutMs = performance.now() - started;
  const product = await expectStatus(
    call<{ availableQuantity: number }>(gateway, "GET", `/api/v1/products/${productId}`),
    200,
    "read product",
  );
  return {
    created: answers.filter((a) => a.status === 201).length,
    outOfStock: answers.filter((a) => a.code === "OUT_OF_STOCK").length,
    other: answers.filter((a) => a.status !== 201 && a.code !== "OUT_OF_STOCK").length,
    finalStock: product.availableQuantity,
    sellOutMs,
    conflictRetries: (await conflictRetries(catalogUrl)) - retriesBefore,
  };
}

/**
 * The hot round's yardstick: the same buyers at the same moment, each on a product of its own
 * (one unit each), so no two orders touch one stock row. Buyers answered per second.
 */
export async function spreadRound(
  gateway: string,
  adminToken: string,
  buyerTokens: string[],
): Promise<{ created: number; seconds: number; perSecond: number }> {
  const products = await createProducts(gateway, adminToken, buyerTokens.length, 1, "SPREAD");
  const started = performance.now();
  const statuses = await Promise.all(
    buyerTokens.map((token, i) =>
      orderOneUnit(gateway, token, products[i]!).then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    created: statuses.filter((s) => s === 201).length,
    seconds: Number(seconds.toFixed(3)),
    perSecond: Number((buyerTokens.length / seconds).toFixed(1)),
  };
}
