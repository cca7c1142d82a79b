import {
  buildOpenApiDocument,
  locationHeaderDocs,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  pageQuerySchema,
} from "@app/shared";
import {
  endpointIdParams,
  endpointPageSchema,
  endpointSchema,
  endpointWithSecretSchema,
  notificationPageSchema,
  preferencesRequest,
  preferencesSchema,
  registerEndpointRequest,
} from "./schemas";
import { WEBHOOK_ENDPOINTS_PATH } from "./webhookEndpointRoutes";

const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const bearer = [{ bearerAuth: [] }];

/** /openapi.json, generated from the schemas that validate the requests. */
export function notifierOpenApi() {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: "get",
    path: "/api/v1/notifications",
    summary:
      "The caller's notifications, newest first; one per order event however often Kafka delivers it",
    security: bearer,
    request: { query: pageQuerySchema },
    responses: {
      200: json(notificationPageSchema, "A page"),
      ...problemResponses(400, 401, 503),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/notifications/preferences",
    summary: "The caller's notification channels (email on by default)",
    security: bearer,
    responses: { 200: json(preferencesSchema, "The preferences"), ...problemResponses(401, 503) },
  });
  registry.registerPath({
    method: "put",
    path: "/api/v1/notifications/preferences",
    summary: "Turn the caller's emails on or off; notifications are still listed either way",
    security: bearer,
    request: {
      body: { required: true, content: { "application/json": { schema: preferencesRequest } } },
    },
    responses: {
      200: json(preferencesSchema, "The preferences now"),
      ...problemResponses(400, 401, 413, 415, 503),
    },
  });
  registry.registerPath({
    method: "post",
    path: WEBHOOK_ENDPOINTS_PATH,
    summary: "Register a webhook endpoint for order event types (ADMIN)",
    description:
      "Calls follow the Standard Webhooks specification: `webhook-id` (the event id, the same on every retry), `webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256 with the endpoint's secret, returned only here and on rotation). A 2xx within the timeout is delivered; anything else is retried with backoff; an endpoint failing for a day is disabled. A URL that is not https, carries credentials, or resolves to a loopback, private or link-local address: 422 WEBHOOK_URL_NOT_ALLOWED.",
    security: bearer,
    request: {
      body: {
        required: true,
        content: { "application/json": { schema: registerEndpointRequest } },
      },
    },
    responses: {
      201: {
        ...json(endpointWithSecretSchema, "Registered, with its signing secret"),
        headers: locationHeaderDocs,
      },
      ...problemResponses(400, 401, 403, 413, 415, 503),
      422: problemResponse("Problem: WEBHOOK_URL_NOT_ALLOWED"),
    },
  });
  registry.registerPath({
    method: "get",
    path: WEBHOOK_ENDPOINTS_PATH,
    summary: "Registered webhook endpoints, newest first, without secrets (ADMIN)",
    security: bearer,
    request: { query: pageQuerySchema },
    responses: {
      200: json(endpointPageSchema, "A page"),
      ...problemResponses(400, 401, 403, 503),
    },
  });
  const change = (action: string, summary: string, withSecret = false) =>
    registry.registerPath({
      method: "post",
      path: `${WEBHOOK_ENDPOINTS_PATH}/{id}/${action}`,
      summary,
      security: bearer,
      request: { params: endpointIdParams },
      responses: {
        200: json(withSecret ? endpointWithSecretSchema : endpointSchema, "The endpoint now"),
        ...problemResponses(400, 401, 403, 503),
        404: problemResponse("Problem: WEBHOOK_ENDPOINT_NOT_FOUND"),
      },
    });
  change("disable", "Disable an endpoint: nothing more is sent to it (ADMIN)");
  change("enable", "Enable an endpoint again, its failure record cleared (ADMIN)");
  change(
    "rotate-secret",
    "Replace the signing secret; calls from now on are signed with the new one (ADMIN)",
    true,
  );
  return buildOpenApiDocument(registry, { title: "Notifier", version: "1.0.0" });
}
