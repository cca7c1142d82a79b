import { parseOrThrow, requireServiceToken, traceUseCase } from "@app/shared";
import { Router, type Request, type Response } from "express";
import type {
  CatalogMetrics,
  Clock,
  ConfirmResult,
  ProductCache,
  ReleaseResult,
  ReservationStore,
} from "../application/ports";
import { reserveStock, type ReserveDeps, type ReserveSettings } from "../application/reserveStock";
import {
  confirmReservation,
  releaseReservation,
  type SettleDeps,
} from "../application/settleReservation";
import { reservationStatusView, reservationView } from "./presenters";
import { problemFor } from "./problems";
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
  if (!parsed.success) throw problemFor({ kind: "reservation_not_found" });
  return parsed.data.id;
}

/** For the order service only: service credentials, never routed by the gateway. */
export function reservationRoutes(deps: ReservationRouteDeps): Router {
  const router = Router();
  router.use("/internal", requireServiceToken(deps.internalTokens, "order"));

  router.post("/internal/v1/reservations", async (req, res) => {
    const input = parseOrThrow(reserveSchema, req.body);
    const result = await traceUseCase("reserveStock", () => reserveStock(deps, input));
    switch (result.kind) {
      case "reserved":
        res.status(201).json(reservationView(result.reservation));
        return;
      case "replayed":
        res.status(200).json(reservationView(result.reservation));
        return;
      default:
        throw problemFor(result);
    }
  });

  router.post("/internal/v1/reservations/:id/confirm", settleRoute(deps, "confirmReservation"));
  router.post("/internal/v1/reservations/:id/release", settleRoute(deps, "releaseReservation"));

  return router;
}

type SettleResult = ConfirmResult | ReleaseResult;

/**
 * Confirm and release answer alike: the reservation's status, 404 for an unknown one, 409 when
 * it was settled the other way.
 */
function settleRoute(deps: SettleDeps, useCase: "confirmReservation" | "releaseReservation") {
  const settle: (deps: SettleDeps, id: string, source: "api") => Promise<SettleResult> =
    useCase === "confirmReservation" ? confirmReservation : releaseReservation;
  const settledOtherWay = useCase === "confirmReservation" ? "released" : "confirmed";
  return async (req: Request, res: Response) => {
    const result = await traceUseCase(useCase, () => settle(deps, reservationId(req), "api"));
    if (result.kind === "not_found" || result.kind === "duplicate_event")
      throw problemFor({ kind: "reservation_not_found" });
    if (result.kind === settledOtherWay)
      throw problemFor({ kind: `reservation_${settledOtherWay}` });
    res.json(reservationStatusView(result.reservation));
  };
}
