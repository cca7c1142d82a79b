import { parseOrThrow, requireAuth, type TokenVerifier } from "@app/shared";
import { Router, type Response } from "express";
import { getPreferences, updatePreferences } from "../application/notificationPreferences";
import type { Clock, NotificationPreferences, PreferenceStore } from "../application/ports";
import { preferencesRequest } from "./schemas";

const PATH = "/api/v1/notifications/preferences";

const send = (res: Response, p: NotificationPreferences) =>
  res.json({ email: p.email, updatedAt: p.updatedAt?.toISOString() ?? null });

/** The signed-in customer's channels (email on or off). */
export function preferenceRoutes(deps: {
  preferences: PreferenceStore;
  clock: Clock;
  verifier: TokenVerifier;
}): Router {
  const router = Router();
  router.get(PATH, requireAuth(deps.verifier), async (req, res) => {
    send(res, await getPreferences(deps, { userId: req.principal!.userId }));
  });
  router.put(PATH, requireAuth(deps.verifier), async (req, res) => {
    const input = parseOrThrow(preferencesRequest, req.body);
    send(res, await updatePreferences(deps, { userId: req.principal!.userId, ...input }));
  });
  return router;
}
