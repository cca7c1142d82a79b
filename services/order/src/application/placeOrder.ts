import { randomUUID } from "node:crypto";
import type { Logger } from "@app/shared";
import { requestFingerprint } from "../domain/idempotency";
import { priceOrder, type Order } from "../domain/order";
import { paymentReference } from "../domain/payment";
import type { FinalOutcome, PlacementResult, RenderFinal } from "./placementOutcomes";
import type {
  CatalogReservations,
  Clock,
  CommitOutcome,
  IdempotencyCache,
  IdempotencyRecord,
  IdempotencyStore,
  KeyRef,
  OrderMetrics,
  OrderStore,
  PaymentGateway,
  PlacementMetricOutcome,
  RequestedLine,
} from "./ports";

export interface PlacementSettings {
  leaseMs: number;
  retentionHours: number;
}

/** Test seam: runs after payment, right before the commit (a crash test stops the process here). */
export interface PlacementHooks {
  beforeCommit?: (reservationId: string) => Promise<void>;
}

export interface PlaceOrderDeps {
  keys: IdempotencyStore;
  cache: IdempotencyCache;
  catalog: CatalogReservations;
  payment: PaymentGateway;
  orders: OrderStore;
  metrics: OrderMetrics;
  clock: Clock;
  logger: Logger;
  render: RenderFinal;
  settings: PlacementSettings;
  hooks?: PlacementHooks;
}

export interface PlaceOrderInput {
  userId: string;
  idempotencyKey: string;
  items: RequestedLine[];
  requestId: string | null;
}

// A conflicting request retries after about the time a placement takes.
const IN_USE_RETRY_AFTER_SECONDS = 1;

/**
 * Places an order once per (user, Idempotency-Key): replays a finished answer, refuses a
 * concurrent or different request, else reserves, charges and commits. The database record is
 * the truth; Redis only saves round trips.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  input: PlaceOrderInput,
): Promise<PlacementResult> {
  const started = performance.now();
  const result = await decide(deps, input).catch((error: unknown) => {
    deps.metrics.placement("error", (performance.now() - started) / 1000);
    throw error;
  });
  deps.metrics.placement(metricOutcome(result), (performance.now() - started) / 1000);
  return result;
}

function metricOutcome(result: PlacementResult): PlacementMetricOutcome {
  if (result.kind === "answered")
    return result.outcome === "created"
      ? "created"
      : result.outcome === "products_missing"
        ? "product_not_found"
        : result.outcome;
  return result.kind;
}

async function decide(deps: PlaceOrderDeps, input: PlaceOrderInput): Promise<PlacementResult> {
  const { userId, idempotencyKey: key } = input;
  const requestHash = requestFingerprint({ items: input.items });

  const cached = await deps.cache.getResponse(userId, key);
  if (cached) return replayOrRefuse(deps, cached.requestHash === requestHash, cached.response);

  const token = randomUUID();
  const lock = await deps.cache.lock(userId, key, token, deps.settings.leaseMs);
  try {
    if (lock === "held") {
      const existing = await deps.keys.find(userId, key);
      return existing ? answerFromRecord(deps, existing, requestHash) : inUse(deps);
    }
    const now = deps.clock.now();
    const ref: KeyRef = { userId, key, reservationId: randomUUID() };
    const claim = await deps.keys.claim(
      { ...ref, requestHash, now, lockedUntil: new Date(now.getTime() + deps.settings.leaseMs) },
      retentionCutoff(deps, now),
    );
    if (claim.kind === "exists") return answerFromRecord(deps, claim.record, requestHash);
    return await execute(deps, input, ref, requestHash);
  } finally {
    if (lock === "acquired") await deps.cache.unlock(userId, key, token);
  }
}

function retentionCutoff(deps: PlaceOrderDeps, now: Date): Date {
  return new Date(now.getTime() - deps.settings.retentionHours * 3600_000);
}

function inUse(deps: PlaceOrderDeps): PlacementResult {
  deps.metrics.inFlightConflict();
  return { kind: "key_in_use", retryAfterSeconds: IN_USE_RETRY_AFTER_SECONDS };
}

function replayOrRefuse(
  deps: PlaceOrderDeps,
  sameRequest: boolean,
  response: { status: number; body: unknown },
): PlacementResult {
  if (!sameRequest) return { kind: "key_reused" };
  deps.metrics.replay();
  return { kind: "answered", outcome: "replayed", response, replayed: true };
}

async function answerFromRecord(
  deps: PlaceOrderDeps,
  record: IdempotencyRecord,
  requestHash: string,
): Promise<PlacementResult> {
  if (record.requestHash !== requestHash) return { kind: "key_reused" };
  if (record.state !== "COMPLETED" || !record.response) return inUse(deps);
  await deps.cache.putResponse(
    record.userId,
    record.key,
    { requestHash, response: record.response },
    cacheTtlSeconds(deps, record.createdAt),
  );
  return replayOrRefuse(deps, true, record.response);
}

function cacheTtlSeconds(deps: PlaceOrderDeps, createdAt: Date): number {
  const expiresAt = createdAt.getTime() + deps.settings.retentionHours * 3600_000;
  return Math.max(1, Math.floor((expiresAt - deps.clock.now().getTime()) / 1000));
}

/** Reserve -> price -> pay -> commit. Every exit either stores a final answer or frees the key. */
async function execute(
  deps: PlaceOrderDeps,
  input: PlaceOrderInput,
  ref: KeyRef,
  requestHash: string,
): Promise<PlacementResult> {
  const reserved = await deps.catalog.reserve(ref.reservationId, input.items);
  if (reserved.kind === "out_of_stock") return finish(deps, ref, requestHash, reserved);
  if (reserved.kind === "products_missing") return finish(deps, ref, requestHash, reserved);
  if (reserved.kind === "unavailable")
    return reservationUnanswered(deps, ref, reserved.retryAfterSeconds);
  // A reservation the catalog already let go (swept) cannot back an order; a retry takes a fresh one.
  if (reserved.status === "RELEASED") return abandon(deps, ref, 1);

  const pricing = priceOrder(reserved.items);
  if (pricing.kind === "mixed_currency") {
    await releaseQuietly(deps, ref.reservationId);
    return finish(deps, ref, requestHash, {
      kind: "currency_mismatch",
      currencies: pricing.currencies,
    });
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
    return finish(deps, ref, requestHash, { kind: "payment_declined", reason: payment.reason });
  }

  const now = deps.clock.now();
  const order: Order = {
    id: randomUUID(),
    userId: input.userId,
    status: "CREATED",
    items: pricing.items,
    totalAmount: pricing.totalAmount,
    currency: pricing.currency,
    reservationId: ref.reservationId,
    createdAt: now,
    updatedAt: now,
  };
  const response = deps.render({ kind: "created", order });
  await deps.hooks?.beforeCommit?.(ref.reservationId);

  let committed;
  try {
    committed = await deps.orders.commitPlacement({
      ref,
      order,
      response,
      requestId: input.requestId,
      now,
    });
  } catch (error) {
    committed = await settleLostCommit(deps, ref, error);
  }
  if (committed.kind !== "committed") {
    // Recovery took this placement over while it ran long; its reservation is ours alone to return.
    deps.logger.warn("placement lost its key before commit", {
      reservationId: ref.reservationId,
      reason: committed.kind,
    });
    await releaseQuietly(deps, ref.reservationId);
    await voidUnlessKeyTaken(deps, ref, committed);
    return inUse(deps);
  }
  deps.logger.info("order placed", {
    orderId: order.id,
    items: order.items.length,
    totalAmount: order.totalAmount,
  });
  await deps.cache.putResponse(
    ref.userId,
    ref.key,
    { requestHash, response },
    cacheTtlSeconds(deps, now),
  );
  return { kind: "answered", outcome: "created", response, replayed: false };
}

/**
 * The commit threw, but the server may have committed before the connection was lost: the
 * placement's own rows say which. Committed: the order stands. Not committed: stock back, payment
 * voided, key free. Unknown (the database unreachable): nothing is undone; recovery settles the
 * key after its lease, and the catalog's sweeper asks before releasing.
 */
async function settleLostCommit(
  deps: PlaceOrderDeps,
  ref: KeyRef,
  error: unknown,
): Promise<{ kind: "committed" }> {
  const landed = await deps.orders.placementCommitted(ref).catch((checkError: unknown) => {
    deps.logger.error("order commit outcome unknown; recovery will settle the placement", {
      reservationId: ref.reservationId,
      error: checkError,
    });
    throw error;
  });
  if (landed) {
    deps.logger.warn("order commit acknowledgement lost; the order was committed", {
      reservationId: ref.reservationId,
      error,
    });
    return { kind: "committed" };
  }
  deps.logger.error("order commit failed; releasing the reservation", {
    reservationId: ref.reservationId,
    error,
  });
  await voidQuietly(deps, ref);
  await abandon(deps, ref, 1);
  throw error;
}

/**
 * The key is no longer this placement's. Its authorization is voided unless a retry of the same
 * key now holds it (same reference: the provider gave that retry this very authorization).
 */
async function voidUnlessKeyTaken(
  deps: PlaceOrderDeps,
  ref: KeyRef,
  outcome: CommitOutcome,
): Promise<void> {
  if (outcome.kind === "reservation_abandoned") return voidQuietly(deps, ref);
  const holder = await deps.keys.find(ref.userId, ref.key);
  if (!holder) await voidQuietly(deps, ref);
}

async function voidQuietly(deps: PlaceOrderDeps, ref: KeyRef): Promise<void> {
  const voided = await deps.payment.void(paymentReference(ref.userId, ref.key));
  if (voided.kind === "unavailable")
    deps.logger.error("payment authorization not voided; it lapses at the provider", {
      reservationId: ref.reservationId,
    });
}

async function finish(
  deps: PlaceOrderDeps,
  ref: KeyRef,
  requestHash: string,
  outcome: FinalOutcome,
): Promise<PlacementResult> {
  const response = deps.render(outcome);
  const now = deps.clock.now();
  if (await deps.keys.complete(ref, response, now)) {
    await deps.cache.putResponse(
      ref.userId,
      ref.key,
      { requestHash, response },
      cacheTtlSeconds(deps, now),
    );
  }
  return { kind: "answered", outcome: outcome.kind, response, replayed: false };
}

/** A transient failure: nothing is stored, so the client may retry the same key. */
async function abandon(
  deps: PlaceOrderDeps,
  ref: KeyRef,
  retryAfterSeconds: number,
): Promise<PlacementResult> {
  // Even when the release cannot reach the catalog, freeing the key is safe: the sweeper will
  // ask us about the reservation, hear NO_ORDER, and return the stock.
  await releaseQuietly(deps, ref.reservationId);
  await deps.keys.free(ref);
  return { kind: "dependency_unavailable", retryAfterSeconds };
}

/**
 * The catalog did not answer the reservation (down, stalled past the breaker's deadline, or
 * contended): the same as abandon, except that the release goes out without holding the client
 * for a second deadline. If it never lands, the sweeper asks us, hears NO_ORDER, returns the stock.
 */
async function reservationUnanswered(
  deps: PlaceOrderDeps,
  ref: KeyRef,
  retryAfterSeconds: number,
): Promise<PlacementResult> {
  void releaseQuietly(deps, ref.reservationId);
  await deps.keys.free(ref);
  return { kind: "dependency_unavailable", retryAfterSeconds };
}

async function releaseQuietly(deps: PlaceOrderDeps, reservationId: string): Promise<void> {
  const released = await deps.catalog.release(reservationId);
  if (released.kind === "unavailable")
    deps.logger.warn("reservation release deferred to the catalog's sweeper", { reservationId });
}
