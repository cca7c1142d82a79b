import {
  cursorFromQuery,
  encodeCursor,
  parseOrThrow,
  requireAuth,
  requireRole,
  type TokenVerifier,
  pageQuerySchema,
} from "@app/shared";
import { Router, type Request, type Response } from "express";
import { changeWebhookEndpoint, type EndpointChange } from "../application/changeWebhookEndpoint";
import { listWebhookEndpoints } from "../application/listWebhookEndpoints";
import {
  registerWebhookEndpoint,
  type EndpointAdminDeps,
} from "../application/registerWebhookEndpoint";
import type { WebhookEndpoint } from "../domain/webhookEndpoint";
import { problemFor } from "./problems";
import { endpointIdParams, registerEndpointRequest } from "./schemas";

export const WEBHOOK_ENDPOINTS_PATH = "/api/v1/notifications/webhook-endpoints";

/** The endpoint as an admin sees it; the secret only where it was just made. */
function present(e: WebhookEndpoint, withSecret = false) {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes,
    status: e.status,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    ...(withSecret ? { secret: e.secret } : {}),
  };
}

/** ADMIN only: the shop's own systems (ERP, warehouse, CRM) that receive order events. */
export function webhookEndpointRoutes(
  deps: EndpointAdminDeps & { verifier: TokenVerifier },
): Router {
  const router = Router();
  const admin = [requireAuth(deps.verifier), requireRole("ADMIN")];
  const change =
    (endpointChange: EndpointChange, withSecret = false) =>
    async (req: Request, res: Response) => {
      const { id } = parseOrThrow(endpointIdParams, req.params, "path");
      const outcome = await changeWebhookEndpoint(deps, { id, change: endpointChange });
      if (outcome.kind !== "changed") throw problemFor(outcome);
      res.json(present(outcome.endpoint, withSecret));
    };

  router.post(WEBHOOK_ENDPOINTS_PATH, ...admin, async (req, res) => {
    const input = parseOrThrow(registerEndpointRequest, req.body);
    const outcome = await registerWebhookEndpoint(deps, input);
    if (outcome.kind !== "registered") throw problemFor(outcome);
    res
      .status(201)
      .location(`${WEBHOOK_ENDPOINTS_PATH}/${outcome.endpoint.id}`)
      .json(present(outcome.endpoint, true));
  });
  router.get(WEBHOOK_ENDPOINTS_PATH, ...admin, async (req, res) => {
    const query = parseOrThrow(pageQuerySchema, req.query, "query");
    const page = await listWebhookEndpoints(deps, {
      limit: query.limit,
      after: cursorFromQuery(query.cursor),
    });
    res.json({
      items: page.items.map((e) => present(e)),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    });
  });
  router.post(`${WEBHOOK_ENDPOINTS_PATH}/:id/disable`, ...admin, change("disable"));
  router.post(`${WEBHOOK_ENDPOINTS_PATH}/:id/enable`, ...admin, change("enable"));
  router.post(
    `${WEBHOOK_ENDPOINTS_PATH}/:id/rotate-secret`,
    ...admin,
    change("rotate_secret", true),
  );
  return router;
}
