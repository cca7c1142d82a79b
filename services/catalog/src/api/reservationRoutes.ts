import { parseOrThrow, requireServiceToken, traceUseCase } from "@app/shared";
import { Router, type Request } from "express";
import type { CatalogMetrics, Clock, ProductCache, ReservationStore } from "../application/ports";
import { reserveStock, type ReserveDeps, type ReserveSettings } from "../application/reserveStock";
import { confirmReservation, releaseReservation } from "../application/settleReservation";
import { reservationStatusView, reservationView } from "./presenters";
import { catalogProblems } from "./problemMapping";
import { reservationIdParams, reserveSchema } from "./schemas";

export interface ReservationRouteDeps extends ReserveDeps {
  reservations: ReservationStore;
  cache: ProductCache;
  metrics: CatalogMetrics;
  clock: Clock;
  internalTokens: string[];
  settings: ReserveSettings;
}

function reservationId(req: Request): string {
  const parsed = reservationIdParams.safeParse(req.params);
  if (!parsed.success) throw catalogProblems.reservationNotFound();
  return parsed.data.id;
}

/** For the order service only: service credentials, never routed by the gateway. */
export function reservationRoutes(deps: ReservationRouteDeps): Router {
  const router = Router();
  router.use("/internal", requireServiceToken(deps.internalTokens, "order"));

  router.post("/internal/v1/reservations", async (req, res) => {
    const input = parseOrThrow(reserveSchema, req.body);
    const result = await traceUseCase("reserveStock", () =>
      reserveStock(deps, deps.settings, input),
    );
    switch (result.kind) {
      case "reserved":
        res.status(201).json(reservationView(result.reservation));
        return;
      case "replayed":
        res.status(200).json(reservationView(result.reservation));
        return;
      case "out_of_stock":
        throw catalogProblems.outOfStock(result.shortItems);
      case "products_missing":
        throw catalogProblems.productsMissing(result.productIds);
      case "contention":
        throw catalogProblems.contention();
    }
  });

  router.post("/internal/v1/reservations/:id/confirm", async (req, res) => {
    const result = await traceUseCase("confirmReservation", () =>
      confirmReservation(deps, reservationId(req), "api"),
    );
    if (result.kind === "not_found" || result.kind === "duplicate_event")
      throw catalogProblems.reservationNotFound();
    if (result.kind === "released") throw catalogProblems.reservationReleased();
    res.json(reservationStatusView(result.reservation));
  });

  router.post("/internal/v1/reservations/:id/release", async (req, res) => {
    const result = await traceUseCase("releaseReservation", () =>
      releaseReservation(deps, reservationId(req), "api"),
    );
    if (result.kind === "not_found" || result.kind === "duplicate_event")
      throw catalogProblems.reservationNotFound();
    if (result.kind === "confirmed") throw catalogProblems.reservationConfirmed();
    res.json(reservationStatusView(result.reservation));
  });

  return router;
}
