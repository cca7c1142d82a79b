import {
  buildOpenApiDocument,
  locationHeaderDocs,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  z,
  pageQuerySchema,
} from "@app/shared";
import {
  createProductSchema,
  patchProductSchema,
  productIdParams,
  productPageSchema,
  productSchema,
  reservationIdParams,
  reservationSchema,
  reservationStatusSchema,
  reserveSchema,
  setStockSchema,
  stockLevelSchema,
} from "./schemas";

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const etag = {
  ETag: {
    description:
      "Entity tag of the answer; send it back in If-Match to write over this version only",
    schema: { type: "string" as const },
  },
};
const withETag = <S extends z.ZodType>(schema: S, description: string) => ({
  ...json(schema, description),
  headers: etag,
});
const ifMatch = z.object({
  "if-match": z.string().optional().openapi({
    description: "An ETag from a product or stock answer: the write applies only over that version",
  }),
});
const body = <S extends z.ZodType>(schema: S) => ({ content: { "application/json": { schema } } });
const bearer = [{ bearerAuth: [] }];

export function catalogOpenApi() {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: "get",
    path: "/api/v1/products",
    summary: "List products, newest first (public, cached)",
    request: { query: pageQuerySchema },
    responses: {
      200: json(productPageSchema, "A page of products"),
      ...problemResponses(400, 503),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/products/{id}",
    summary: "Get a product (public, cached)",
    request: { params: productIdParams },
    responses: { 200: withETag(productSchema, "The product"), ...problemResponses(404, 503) },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/products",
    summary: "Create a product with its initial stock (ADMIN)",
    security: bearer,
    request: { body: body(createProductSchema) },
    responses: {
      201: {
        ...json(productSchema, "Created"),
        headers: { ...locationHeaderDocs, ...etag },
      },
      ...problemResponses(400, 401, 403, 413, 415, 503),
      409: problemResponse("Problem: SKU_TAKEN"),
    },
  });
  registry.registerPath({
    method: "patch",
    path: "/api/v1/products/{id}",
    summary: "Change name, description or price (ADMIN)",
    security: bearer,
    request: { params: productIdParams, headers: ifMatch, body: body(patchProductSchema) },
    responses: {
      200: withETag(productSchema, "Updated"),
      ...problemResponses(400, 401, 403, 404, 413, 415, 503),
      412: problemResponse("Problem: PRECONDITION_FAILED (If-Match names no current version)"),
    },
  });
  registry.registerPath({
    method: "put",
    path: "/api/v1/products/{id}/stock",
    summary:
      "Set the available quantity over the version the admin saw: If-Match (stale: 412) or expectedVersion (stale: 409); neither: 428 (ADMIN)",
    security: bearer,
    request: { params: productIdParams, headers: ifMatch, body: body(setStockSchema) },
    responses: {
      200: withETag(stockLevelSchema, "The new stock level"),
      ...problemResponses(400, 401, 403, 404, 413, 415, 503),
      409: problemResponse(
        "Problem: STOCK_VERSION_CONFLICT (expectedVersion is stale; `currentVersion` names the current one)",
      ),
      412: problemResponse(
        "Problem: PRECONDITION_FAILED (If-Match is stale; ETag names the current stock version)",
        etag,
      ),
      428: problemResponse("Problem: PRECONDITION_REQUIRED (neither If-Match nor expectedVersion)"),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/internal/v1/reservations",
    summary: "Reserve every line or none; idempotent on reservationId (service credentials)",
    security: bearer,
    request: { body: body(reserveSchema) },
    responses: {
      201: json(reservationSchema, "Reserved"),
      200: json(reservationSchema, "The same reservationId again: the stored reservation"),
      ...problemResponses(400, 401, 413, 415),
      409: problemResponse("Problem: OUT_OF_STOCK (`shortItems`); nothing was reserved"),
      422: problemResponse(
        "Problem: PRODUCT_NOT_FOUND (`missingProductIds`); nothing was reserved",
      ),
      503: problemResponse(
        "Problem: STOCK_CONTENTION (the stock is changing too fast), DEPENDENCY_UNAVAILABLE or BUSY, with Retry-After",
      ),
    },
  });
  for (const action of ["confirm", "release"] as const) {
    registry.registerPath({
      method: "post",
      path: `/internal/v1/reservations/{id}/${action}`,
      summary:
        action === "confirm"
          ? "Confirm a reservation (idempotent)"
          : "Release a reservation, returning its stock once (idempotent)",
      security: bearer,
      request: { params: reservationIdParams },
      responses: {
        200: json(reservationStatusSchema, "The reservation's status"),
        ...problemResponses(401, 404, 503),
        ...(action === "confirm"
          ? { 409: problemResponse("Problem: RESERVATION_RELEASED") }
          : { 409: problemResponse("Problem: RESERVATION_CONFIRMED") }),
      },
    });
  }
  return buildOpenApiDocument(registry, {
    title: "Catalog service",
    version: "1.0.0",
    description: "Products, stock and reservations",
  });
}
