import {
  cursorFromQuery,
  encodeCursor,
  parseOrThrow,
  requireAuth,
  type TokenVerifier,
  pageQuerySchema,
} from "@app/shared";
import { Router } from "express";
import { listNotifications } from "../application/listNotifications";
import type { NotificationReader } from "../application/ports";
import type { Notification } from "../domain/notification";

function present(n: Notification) {
  return {
    id: n.id,
    eventId: n.eventId,
    type: n.type,
    orderId: n.orderId,
    message: n.message,
    createdAt: n.createdAt.toISOString(),
  };
}

export function notificationRoutes(deps: {
  store: NotificationReader;
  verifier: TokenVerifier;
}): Router {
  const router = Router();
  router.get("/api/v1/notifications", requireAuth(deps.verifier), async (req, res) => {
    const query = parseOrThrow(pageQuerySchema, req.query, "query");
    const cursor = cursorFromQuery(query.cursor);
    const page = await listNotifications(deps, {
      userId: req.principal!.userId,
      limit: query.limit,
      after: cursor,
    });
    res.json({
      items: page.items.map(present),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    });
  });
  return router;
}
