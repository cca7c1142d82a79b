// The steps of a placement that are not its main line: answering from a key already claimed,
// storing a final answer, and giving back what a placement that cannot finish holds.
import type { Logger } from "@app/shared";
import type { StoredResponse } from "../domain/idempotency";
import { decideExistingKey, secondsLeftOfRetention } from "../domain/keyLifecycle";
import { paymentReference } from "../domain/payment";
import { finalAnswer, type FinalOutcome, type PlacementResult } from "./placementOutcomes";
import type {
  CatalogReservations,
  Clock,
  CommitOutcome,
  IdempotencyCache,
  IdempotencyRecord,
  KeyRef,
  OrderMetrics,
  PaymentGateway,
  PlacementStore,
} from "./ports";

export interface PlacementSettings {
  leaseMs: number;
  retentionHours: number;
}

export interface PlacementStepDeps {
  keys: PlacementStore;
  cache: IdempotencyCache;
  catalog: CatalogReservations;
  payment: PaymentGateway;
  metrics: OrderMetrics;
  clock: Clock;
  logger: Logger;
  settings: PlacementSettings;
}

// A conflicting request retries after about the time a placement takes.
const IN_USE_RETRY_AFTER_SECONDS = 1;

export function inUse(deps: PlacementStepDeps): PlacementResult {
  deps.metrics.inFlightConflict();
  return { kind: "key_in_use", retryAfterSeconds: IN_USE_RETRY_AFTER_SECONDS };
}

export function replayOrRefuse(
  deps: PlacementStepDeps,
  sameRequest: boolean,
  response: StoredResponse,
): PlacementResult {
  if (!sameRequest) return { kind: "key_reused" };
  deps.metrics.replay();
  return { kind: "answered", outcome: "replayed", response, replayed: true };
}

/** The key was claimed before: replay its stored answer, or refuse. */
export async function answerFromRecord(
  deps: PlacementStepDeps,
  record: IdempotencyRecord,
  requestHash: string,
): Promise<PlacementResult> {
  const decision = decideExistingKey(
    { requestHash: record.requestHash, state: record.state, hasAnswer: record.response !== null },
    requestHash,
  );
  if (decision === "reused") return { kind: "key_reused" };
  if (decision === "in_use" || !record.response) return inUse(deps);
  await remember(deps, record, requestHash, record.response, record.createdAt);
  return replayOrRefuse(deps, true, record.response);
}

/**
 * Copies a replayed answer to the cache for as long as the key replays it. Only replays write
 * it: most keys are never sent twice, and the first answer costs no Redis write.
 */
function remember(
  deps: PlacementStepDeps,
  key: { userId: string; key: string },
  requestHash: string,
  response: StoredResponse,
  createdAt: Date,
): Promise<void> {
  const ttl = secondsLeftOfRetention(createdAt, deps.clock.now(), deps.settings.retentionHours);
  return deps.cache.putResponse(key.userId, key.key, { requestHash, response }, ttl);
}

/** Stores a final answer that has no order (out of stock, declined...) and answers it. */
export async function finish(
  deps: PlacementStepDeps,
  ref: KeyRef,
  outcome: Exclude<FinalOutcome, { kind: "created" }>,
): Promise<PlacementResult> {
  const response = finalAnswer(outcome);
  await deps.keys.complete(ref, response, deps.clock.now());
  return { kind: "answered", outcome: outcome.kind, response, replayed: false };
}

/**
 * A transient failure: nothing is stored, so the client may retry the same key. Even when the
 * release cannot reach the catalog, freeing the key is safe: the sweeper will ask us about the
 * reservation, hear NO_ORDER, and return the stock. `waitForRelease: false` when the catalog did
 * not answer the reservation (down, stalled past the breaker's deadline, or contended): the
 * release goes out without holding the client for a second deadline.
 */
export async function abandon(
  deps: PlacementStepDeps,
  ref: KeyRef,
  retryAfterSeconds: number,
  waitForRelease = true,
): Promise<PlacementResult> {
  const release = releaseQuietly(deps, ref.reservationId);
  if (waitForRelease) await release;
  await deps.keys.free(ref);
  return { kind: "dependency_unavailable", retryAfterSeconds };
}

/**
 * The commit threw, but the server may have committed before the connection was lost: the
 * placement's own rows say which. Committed: the order stands. Not committed: stock back, payment
 * voided, key free. Unknown (the database unreachable): nothing is undone; recovery settles the
 * key after its lease, and the catalog's sweeper asks before releasing.
 */
export async function settleLostCommit(
  deps: PlacementStepDeps,
  ref: KeyRef,
  error: unknown,
): Promise<{ kind: "committed" }> {
  const landed = await deps.keys.placementCommitted(ref).catch((checkError: unknown) => {
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
 * Recovery took this placement over while it ran long: its reservation is ours alone to return,
 * and its authorization is voided unless a retry of the same key now holds the key (same
 * reference: the provider gave that retry this very authorization).
 */
export async function giveUpLostKey(
  deps: PlacementStepDeps,
  ref: KeyRef,
  outcome: Exclude<CommitOutcome, { kind: "committed" }>,
): Promise<PlacementResult> {
  deps.logger.warn("placement lost its key before commit", {
    reservationId: ref.reservationId,
    reason: outcome.kind,
  });
  await releaseQuietly(deps, ref.reservationId);
  if (outcome.kind === "reservation_abandoned" || !(await deps.keys.find(ref.userId, ref.key)))
    await voidQuietly(deps, ref);
  return inUse(deps);
}

export async function voidQuietly(
  deps: Pick<PlacementStepDeps, "payment" | "logger">,
  ref: KeyRef,
): Promise<void> {
  const voided = await deps.payment.void(paymentReference(ref.userId, ref.key));
  if (voided.kind === "unavailable")
    deps.logger.error("payment authorization not voided; it lapses at the provider", {
      reservationId: ref.reservationId,
    });
}

export async function releaseQuietly(
  deps: Pick<PlacementStepDeps, "catalog" | "logger">,
  reservationId: string,
): Promise<void> {
  const released = await deps.catalog.release(reservationId);
  if (released.kind === "unavailable")
    deps.logger.warn("reservation release deferred to the catalog's sweeper", { reservationId });
}
