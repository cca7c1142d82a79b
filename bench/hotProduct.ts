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
      fetch(`${gateway}/api/v1/orders`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          "idempotency-key": randomUUID(),
        },
        body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
      }).then(async (res) => ({
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
