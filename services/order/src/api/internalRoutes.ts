import { requireServiceToken } from "@app/shared";
import { Router } from "express";
import type { Clock, PlacementStore } from "../application/ports";
import { abandonReservationUnlessOrdered } from "../application/reservationState";
import { orderProblems } from "./orderProblems";
import { reservationIdParams } from "./schemas";

/** For the catalog's sweeper only: service credentials, never routed by the gateway. */
export function internalRoutes(deps: {
  keys: PlacementStore;
  clock: Clock;
  internalTokens: string[];
}): Router {
  const router = Router();
  router.use("/internal", requireServiceToken(deps.internalTokens, "catalog"));

  router.get("/internal/v1/reservations/:reservationId/order", async (req, res) => {
    const parsed = reservationIdParams.safeParse(req.params);
    if (!parsed.success) throw orderProblems.badReservationId();
    const state = await abandonReservationUnlessOrdered(deps, parsed.data.reservationId);
    res.json({ reservationId: parsed.data.reservationId, ...state });
  });

  return router;
}
