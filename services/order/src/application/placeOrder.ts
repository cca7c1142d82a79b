import { newId } from "@app/shared";
import { requestFingerprint } from "../domain/idempotency";
import { retentionCutoff } from "../domain/keyLifecycle";
import { priceOrder, type Order } from "../domain/order";
import { paymentReference } from "../domain/payment";
import { finalAnswer, type PlacementResult } from "./placementOutcomes";
import {
  abandon,
  answerFromRecord,
  finish,
  giveUpLostKey,
  releaseQuietly,
  replayOrRefuse,
  settleLostCommit,
  voidQuietly,
  type PlacementStepDeps,
} from "./placementSteps";
import type { KeyRef, PlacementMetricOutcome, RequestedLine } from "./ports";

export type { PlacementSettings } from "./placementSteps";

/** Test seam: runs after payment, right before the commit (a crash test stops the process here). */
export interface PlacementHooks {
  beforeCommit?: (reservationId: string) => Promise<void>;
}

export interface PlaceOrderDeps extends PlacementStepDeps {
  hooks?: PlacementHooks;
}

export interface PlaceOrderInput {
  userId: string;
  idempotencyKey: string;
  items: RequestedLine[];
  requestId: string | null;
}

/**
 * Places an order once per (user, Idempotency-Key): replays a finished answer, refuses a
 * concurrent or different request, else reserves, charges and commits. The database record is
 * the truth; Redis holds a copy of answers that were replayed, so a client's retries are answered
 * without it.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  input: PlaceOrderInput,
): Promise<PlacementResult> {
  const started = performance.now();
  const result = await placeOnce(deps, input).catch((error: unknown) => {
    deps.metrics.placement("error", (performance.now() - started) / 1000);
    throw error;
  });
  deps.metrics.placement(metricOutcome(result), (performance.now() - started) / 1000);
  return result;
}

async function placeOnce(deps: PlaceOrderDeps, input: PlaceOrderInput): Promise<PlacementResult> {
  const { userId, idempotencyKey: key } = input;
  const requestHash = requestFingerprint({ items: input.items });

  const cached = await deps.cache.getResponse(userId, key);
  if (cached) return replayOrRefuse(deps, cached.requestHash === requestHash, cached.response);

  // No Redis lock: the claim below is a primary-key insert, so of two requests with one key the
  // database lets exactly one through and the other reads its record (in use, replay or 422).
  const now = deps.clock.now();
  const ref: KeyRef = { userId, key, reservationId: newId() };
  const claim = await deps.keys.claim(
    { ...ref, requestHash, now, lockedUntil: new Date(now.getTime() + deps.settings.leaseMs) },
    retentionCutoff(now, deps.settings.retentionHours),
  );
  if (claim.kind === "exists") return answerFromRecord(deps, claim.record, requestHash);
  return reservePayCommit(deps, input, ref);
}

/** Reserve -> price -> pay -> commit. Every exit either stores a final answer or frees the key. */
async function reservePayCommit(
  deps: PlaceOrderDeps,
  input: PlaceOrderInput,
  ref: KeyRef,
): Promise<PlacementResult> {
  const reserved = await deps.catalog.reserve(ref.reservationId, input.items);
  if (reserved.kind === "out_of_stock" || reserved.kind === "products_missing")
    return finish(deps, ref, reserved);
  if (reserved.kind === "unavailable") return abandon(deps, ref, reserved.retryAfterSeconds, false);
  // A reservation the catalog already let go (swept) cannot back an order; a retry takes a fresh one.
  if (reserved.status === "RELEASED") return abandon(deps, ref, 1);

  const pricing = priceOrder(reserved.items);
  if (pricing.kind === "mixed_currency") {
    await releaseQuietly(deps, ref.reservationId);
    const { currencies } = pricing;
    return finish(deps, ref, { kind: "currency_mismatch", currencies });
  }

  const payment = await deps.payment.authorize({
    reference: paymentReference(ref.userId, ref.key),
    amount: pricing.totalAmount,
    currency: pricing.currency,
  });
  if (payment.kind === "unavailable") {
    // The provider may have authorized before the answer was lost.
    await voidQuietly(deps, ref);
    return abandon(deps, ref, payment.retryAfterSeconds);
  }
  if (payment.kind === "declined") {
    await releaseQuietly(deps, ref.reservationId);
    return finish(deps, ref, { kind: "payment_declined", reason: payment.reason });
  }

  const now = deps.clock.now();
  const order: Order = {
    id: newId(),
    userId: input.userId,
    status: "CREATED",
    items: pricing.items,
    totalAmount: pricing.totalAmount,
    currency: pricing.currency,
    reservationId: ref.reservationId,
    createdAt: now,
    updatedAt: now,
  };
  const response = finalAnswer({ kind: "created", order });
  await deps.hooks?.beforeCommit?.(ref.reservationId);
  const committed = await deps.keys
    .commitPlacement({ ref, order, response, requestId: input.requestId, now })
    .catch((error: unknown) => settleLostCommit(deps, ref, error));
  if (committed.kind !== "committed") return giveUpLostKey(deps, ref, committed);

  deps.logger.info("order placed", {
    orderId: order.id,
    items: order.items.length,
    totalAmount: order.totalAmount,
  });
  return { kind: "answered", outcome: "created", response, replayed: false };
}

function metricOutcome(result: PlacementResult): PlacementMetricOutcome {
  if (result.kind !== "answered") return result.kind;
  return result.outcome === "products_missing" ? "product_not_found" : result.outcome;
}
