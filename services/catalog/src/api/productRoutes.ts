import {
  cursorFromQuery,
  encodeCursor,
  parseOrThrow,
  requireAuth,
  requireRole,
  type TokenVerifier,
  pageQuerySchema,
} from "@app/shared";
import { Router, type Request } from "express";
import { createProduct } from "../application/createProduct";
import { getProduct } from "../application/getProduct";
import { listProducts } from "../application/listProducts";
import type { Clock, ProductCache, ProductRepository, StockRepository } from "../application/ports";
import { setStock } from "../application/setStock";
import { updateProduct } from "../application/updateProduct";
import { parseIfMatch, productETag, stockETag } from "./entityTags";
import { productView, stockView } from "./presenters";
import { problemFor } from "./problems";
import {
  createProductSchema,
  patchProductSchema,
  productIdParams,
  setStockSchema,
} from "./schemas";

export interface ProductRouteDeps {
  products: ProductRepository;
  stocks: StockRepository;
  cache: ProductCache;
  clock: Clock;
  verifier: TokenVerifier;
}

/** A malformed id names no product: the same 404 as an unknown one. */
function productId(req: Request): string {
  const parsed = productIdParams.safeParse(req.params);
  if (!parsed.success) throw problemFor({ kind: "product_not_found" });
  return parsed.data.id;
}

export function productRoutes(deps: ProductRouteDeps): Router {
  const router = Router();
  const admin = [requireAuth(deps.verifier), requireRole("ADMIN")];

  router.get("/api/v1/products", async (req, res) => {
    const query = parseOrThrow(pageQuerySchema, req.query, "query");
    const after = cursorFromQuery(query.cursor) ?? undefined;
    const page = await listProducts(deps, { limit: query.limit, after });
    res.json({
      items: page.items.map(productView),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    });
  });

  router.get("/api/v1/products/:id", async (req, res) => {
    const product = await getProduct(deps, productId(req));
    if (!product) throw problemFor({ kind: "product_not_found" });
    res.set("ETag", productETag(product)).json(productView(product));
  });

  router.post("/api/v1/products", ...admin, async (req, res) => {
    const input = parseOrThrow(createProductSchema, req.body);
    const result = await createProduct(deps, input);
    if (result.kind === "sku_taken") throw problemFor({ kind: "sku_taken", sku: input.sku });
    res
      .status(201)
      .location(`/api/v1/products/${result.product.id}`)
      .set("ETag", productETag(result.product))
      .json(productView(result.product));
  });

  router.patch("/api/v1/products/:id", ...admin, async (req, res) => {
    const id = productId(req);
    const patch = parseOrThrow(patchProductSchema, req.body);
    const ifMatch = parseIfMatch(req.get("if-match"));
    const result = await updateProduct(deps, id, patch, ifMatch?.productUpdatedAt);
    if (result.kind === "not_found") throw problemFor({ kind: "product_not_found" });
    if (result.kind === "stale") throw problemFor({ kind: "precondition_failed" });
    res.set("ETag", productETag(result.product)).json(productView(result.product));
  });

  // Never blind: the admin names the stock version it saw (If-Match or expectedVersion), so a
  // reservation made since cannot be overwritten.
  router.put("/api/v1/products/:id/stock", ...admin, async (req, res) => {
    const id = productId(req);
    const input = parseOrThrow(setStockSchema, req.body);
    const ifMatch = parseIfMatch(req.get("if-match"));
    if (!ifMatch && input.expectedVersion === undefined)
      throw problemFor({ kind: "precondition_required" });
    const acceptedVersions = (ifMatch?.stockVersions ?? [input.expectedVersion!]).filter(
      (v) => input.expectedVersion === undefined || v === input.expectedVersion,
    );
    const result = await setStock(deps, {
      productId: id,
      quantity: input.quantity,
      acceptedVersions,
    });
    if (result.kind === "not_found") throw problemFor({ kind: "product_not_found" });
    if (result.kind === "version_conflict")
      throw ifMatch
        ? problemFor({ kind: "precondition_failed", currentETag: `"${result.currentVersion}"` })
        : problemFor({ kind: "stock_version_conflict", currentVersion: result.currentVersion });
    res.set("ETag", stockETag(result.stock)).json(stockView(result.stock));
  });

  return router;
}
