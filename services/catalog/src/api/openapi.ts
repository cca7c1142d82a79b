import { buildOpenApiDocument, OpenAPIRegistry, problemResponses, z } from "@app/shared";
import {
  createProductSchema,
  listQuerySchema,
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
    request: { query: listQuerySchema },
    responses: { 200: json(productPageSchema, "A page of products"), ...problemResponses(400) },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/products/{id}",
    summary: "Get a product (public, cached)",
    request: { params: productIdParams },
    responses: { 200: withETag(productSchema, "The product"), ...problemResponses(404) },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/products",
    summary: "Create a product with its initial stock (ADMIN)",
    security: bearer,
    request: { body: body(createProductSchema) },
    responses: {
      201: withETag(productSchema, "Created"),
      ...problemResponses(400, 401, 403, 409, 415),
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
      ...problemResponses(400, 401, 403, 404, 412),
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
      ...problemResponses(400, 401, 403, 404, 409, 412, 428),
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
      ...problemResponses(400, 401, 409, 422, 503),
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
        ...problemResponses(401, 404, ...(action === "confirm" ? [409] : [])),
      },
    });
  }
  return buildOpenApiDocument(registry, {
    title: "Catalog service",
    version: "1.0.0",
    description: "Products, stock and reservations",
  });
}
