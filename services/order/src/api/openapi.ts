import {
  buildOpenApiDocument,
  idempotentReplayedHeaderDocs,
  locationHeaderDocs,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  retryAfterHeaderDocs,
  z,
  pageQuerySchema,
} from "@app/shared";
import {
  idempotencyKeyHeader,
  orderIdParams,
  orderPageSchema,
  orderSchema,
  placeOrderSchema,
  reservationIdParams,
  reservationStateSchema,
} from "./schemas";

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const bearer = [{ bearerAuth: [] }];

/** /openapi.json, generated from the schemas that validate the requests. */
export function orderOpenApi() {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: "post",
    path: "/api/v1/orders",
    summary: "Place an order (once per Idempotency-Key)",
    description:
      "Keys are scoped to the caller and kept IDEMPOTENCY_TTL_HOURS (24). The same key and body replay the first final answer " +
      "(201, 409 OUT_OF_STOCK, 422 PRODUCT_NOT_FOUND or CURRENCY_MISMATCH, 402 PAYMENT_DECLINED) with `Idempotent-Replayed: true`; " +
      "transient failures (5xx, 503) are not stored, so the key may be retried.",
    security: bearer,
    request: {
      headers: z.object({ "idempotency-key": idempotencyKeyHeader }),
      body: { content: { "application/json": { schema: placeOrderSchema } } },
    },
    responses: {
      201: {
        ...json(orderSchema, "Created; `Location` names the order"),
        headers: { ...locationHeaderDocs, ...idempotentReplayedHeaderDocs },
      },
      ...problemResponses(401, 413, 415, 503),
      400: problemResponse(
        "Problem: IDEMPOTENCY_KEY_MISSING, VALIDATION_FAILED (body or Idempotency-Key) or MALFORMED_JSON",
      ),
      402: problemResponse(
        "Problem: PAYMENT_DECLINED (the reserved stock was returned); stored, a replay carries Idempotent-Replayed",
        idempotentReplayedHeaderDocs,
      ),
      409: problemResponse(
        "Problem: OUT_OF_STOCK (`shortItems`; stored, a replay carries Idempotent-Replayed) or IDEMPOTENCY_KEY_IN_USE (the first request with this key still runs; with Retry-After)",
        { ...idempotentReplayedHeaderDocs, ...retryAfterHeaderDocs },
      ),
      422: problemResponse(
        "Problem: PRODUCT_NOT_FOUND (`missingProductIds`) or CURRENCY_MISMATCH (`currencies`), both stored (a replay carries Idempotent-Replayed), or IDEMPOTENCY_KEY_REUSED (the key came with a different body)",
        idempotentReplayedHeaderDocs,
      ),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/orders",
    summary: "The caller's orders, newest first (archived ones included)",
    security: bearer,
    request: { query: pageQuerySchema },
    responses: { 200: json(orderPageSchema, "A page"), ...problemResponses(400, 401, 503) },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/orders/{id}",
    summary: "One order (owner or ADMIN); archived orders stay readable",
    security: bearer,
    request: { params: orderIdParams },
    responses: { 200: json(orderSchema, "The order"), ...problemResponses(401, 404, 503) },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/orders/{id}/cancel",
    summary: "Cancel (owner or ADMIN); again on a cancelled order: 200, nothing more happens",
    description:
      "A completed order: 409 ORDER_NOT_CANCELLABLE; the problem's `orderStatus` member names the order's status (`status` is the HTTP status, RFC 9457).",
    security: bearer,
    request: { params: orderIdParams },
    responses: {
      200: json(orderSchema, "The cancelled order"),
      ...problemResponses(401, 404, 503),
      409: problemResponse("Problem: ORDER_NOT_CANCELLABLE (`orderStatus`)"),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/orders/{id}/complete",
    summary: "Complete (ADMIN); again on a completed order: 200, nothing more happens",
    description:
      "A cancelled order: 409 ORDER_NOT_COMPLETABLE; the problem's `orderStatus` member names the order's status.",
    security: bearer,
    request: { params: orderIdParams },
    responses: {
      200: json(orderSchema, "The completed order"),
      ...problemResponses(401, 403, 404, 503),
      409: problemResponse("Problem: ORDER_NOT_COMPLETABLE (`orderStatus`)"),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/internal/v1/reservations/{reservationId}/order",
    summary: "Does an order hold this reservation? Reads only: NO_ORDER here may still change.",
    request: { params: reservationIdParams },
    responses: {
      200: json(reservationStateSchema, "The reservation's state"),
      ...problemResponses(400, 401, 503),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/internal/v1/reservations/{reservationId}/abandon",
    summary:
      "For the catalog's sweeper: abandon the reservation unless an order holds it or its placement is running",
    description:
      "NO_ORDER: the reservation is recorded as abandoned and no order will ever be created with it, so its stock may go back. ORDER_EXISTS or PENDING: nothing changes. Idempotent.",
    request: { params: reservationIdParams },
    responses: {
      200: json(reservationStateSchema, "The reservation's state after the decision"),
      ...problemResponses(400, 401, 503),
    },
  });
  return buildOpenApiDocument(registry, { title: "Order service", version: "1.0.0" });
}
