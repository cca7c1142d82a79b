import {
  currentRequestId,
  cursorFromQuery,
  encodeCursor,
  parseOrThrow,
  PROBLEM_CONTENT_TYPE,
  requireAuth,
  requireRole,
  traceUseCase,
  type TokenVerifier,
  pageQuerySchema,
} from "@app/shared";
import { Router, type Request, type Response } from "express";
import {
  cancelOrder,
  completeOrder,
  type StatusChangeDeps,
  type StatusChangeResult,
} from "../application/changeOrderStatus";
import { getOrder } from "../application/getOrder";
import { listMyOrders } from "../application/listMyOrders";
import type { PlacementResult } from "../application/placementOutcomes";
import { placeOrder, type PlaceOrderDeps } from "../application/placeOrder";
import type { OrderReader } from "../application/ports";
import type { StoredResponse } from "../domain/idempotency";
import { orderView, type Actor } from "../domain/order";
import { problemFor } from "./problems";
import { idempotencyKeyHeader, orderIdParams, placeOrderSchema } from "./schemas";

export interface OrderRouteDeps {
  placement: PlaceOrderDeps;
  statusChange: StatusChangeDeps;
  reader: OrderReader;
  verifier: TokenVerifier;
}

const BASE = "/api/v1/orders";

function actorOf(req: Request): Actor {
  const principal = req.principal!;
  return { userId: principal.userId, isAdmin: principal.role === "ADMIN" };
}

function orderId(req: Request): string {
  const parsed = orderIdParams.safeParse(req.params);
  // A malformed id names no order: the same 404 as an unknown one.
  if (!parsed.success) throw problemFor({ kind: "order_not_found" });
  return parsed.data.id;
}

function idempotencyKey(req: Request): string {
  const raw = req.header("idempotency-key");
  if (raw === undefined || raw === "") throw problemFor({ kind: "idempotency_key_missing" });
  const parsed = idempotencyKeyHeader.safeParse(raw);
  if (!parsed.success) throw problemFor({ kind: "idempotency_key_invalid" });
  return parsed.data;
}

function sendStored(res: Response, response: StoredResponse, replayed: boolean): void {
  if (replayed) res.setHeader("Idempotent-Replayed", "true");
  const orderId = createdOrderId(response);
  if (orderId) res.setHeader("Location", `${BASE}/${orderId}`);
  res
    .status(response.status)
    .type(response.status >= 400 ? PROBLEM_CONTENT_TYPE : "application/json")
    .send(JSON.stringify(response.body));
}

function createdOrderId(response: StoredResponse): string | undefined {
  const body = response.body;
  if (response.status !== 201 || typeof body !== "object" || body === null || !("id" in body))
    return undefined;
  return typeof body.id === "string" ? body.id : undefined;
}

function sendPlacement(res: Response, result: PlacementResult): void {
  switch (result.kind) {
    case "answered":
      return sendStored(res, result.response, result.replayed);
    default:
      throw problemFor(result);
  }
}

function sendStatusChange(
  res: Response,
  result: StatusChangeResult,
  refusal: "order_not_cancellable" | "order_not_completable",
): void {
  if (result.kind === "not_found") throw problemFor({ kind: "order_not_found" });
  if (result.kind === "refused") throw problemFor({ kind: refusal, from: result.from });
  res.json(orderView(result.order));
}

export function orderRoutes(deps: OrderRouteDeps): Router {
  const router = Router();
  router.use(BASE, requireAuth(deps.verifier));

  router.post(BASE, async (req, res) => {
    const key = idempotencyKey(req);
    const body = parseOrThrow(placeOrderSchema, req.body);
    const result = await traceUseCase("placeOrder", () =>
      placeOrder(deps.placement, {
        userId: req.principal!.userId,
        idempotencyKey: key,
        items: body.items,
        requestId: currentRequestId() ?? null,
      }),
    );
    sendPlacement(res, result);
  });

  router.get(BASE, async (req, res) => {
    const query = parseOrThrow(pageQuerySchema, req.query, "query");
    const after = cursorFromQuery(query.cursor);
    const page = await listMyOrders(deps, req.principal!.userId, query.limit, after);
    res.json({
      items: page.items.map(orderView),
      nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
    });
  });

  router.get(`${BASE}/:id`, async (req, res) => {
    const result = await getOrder(deps, orderId(req), actorOf(req));
    if (result.kind === "not_found") throw problemFor({ kind: "order_not_found" });
    res.json(orderView(result.order));
  });

  router.post(`${BASE}/:id/cancel`, async (req, res) => {
    const result = await traceUseCase("cancelOrder", () =>
      cancelOrder(deps.statusChange, orderId(req), actorOf(req), currentRequestId() ?? null),
    );
    sendStatusChange(res, result, "order_not_cancellable");
  });

  router.post(`${BASE}/:id/complete`, requireRole("ADMIN"), async (req, res) => {
    const result = await traceUseCase("completeOrder", () =>
      completeOrder(deps.statusChange, orderId(req), actorOf(req), currentRequestId() ?? null),
    );
    sendStatusChange(res, result, "order_not_completable");
  });

  return router;
}
