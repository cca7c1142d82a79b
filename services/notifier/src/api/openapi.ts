import { buildOpenApiDocument, OpenAPIRegistry, problemResponses } from "@app/shared";
import { listQuerySchema, notificationPageSchema } from "./schemas";

/** /openapi.json, generated from the schemas that validate the requests. */
export function notifierOpenApi() {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: "get",
    path: "/api/v1/notifications",
    summary:
      "The caller's notifications, newest first; one per order event however often Kafka delivers it",
    security: [{ bearerAuth: [] }],
    request: { query: listQuerySchema },
    responses: {
      200: {
        description: "A page",
        content: { "application/json": { schema: notificationPageSchema } },
      },
      ...problemResponses(400, 401),
    },
  });
  return buildOpenApiDocument(registry, { title: "Notifier", version: "1.0.0" });
}
