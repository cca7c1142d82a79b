import { requireServiceToken } from "@app/shared";
import { Router, type Request } from "express";
import type { Clock, PlacementStore } from "../application/ports";
import { abandonReservationUnlessOrdered, reservationState } from "../application/reservationState";
import { problemFor } from "./problems";
import { reservationIdParams } from "./schemas";

const RESERVATION = "/internal/v1/reservations/:reservationId";

function reservationIdOf(req: Request): string {
  const parsed = reservationIdParams.safeParse(req.params);
  if (!parsed.success) throw problemFor({ kind: "bad_reservation_id" });
  return parsed.data.reservationId;
}

/** For the catalog's sweeper only: service credentials, never routed by the gateway. */
export function internalRoutes(deps: {
  keys: PlacementStore;
  clock: Clock;
  internalTokens: string[];
}): Router {
  const router = Router();
  router.use("/internal", requireServiceToken(deps.internalTokens, "catalog"));

  // Reads only: NO_ORDER here may still change (a placement may yet claim the reservation).
  router.get(`${RESERVATION}/order`, async (req, res) => {
    const reservationId = reservationIdOf(req);
    res.json({ reservationId, ...(await reservationState(deps, reservationId)) });
  });

  // The sweeper's decision: NO_ORDER answered here is final.
  router.post(`${RESERVATION}/abandon`, async (req, res) => {
    const reservationId = reservationIdOf(req);
    res.json({ reservationId, ...(await abandonReservationUnlessOrdered(deps, reservationId)) });
  });

  return router;
}
