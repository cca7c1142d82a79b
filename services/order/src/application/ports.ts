// What the use cases need from the outside world; infrastructure/ implements each port.
import type { StoredResponse } from "../domain/idempotency";
import type { KeyState } from "../domain/keyLifecycle";
import type { Order, OrderStatus, ReservedLine, StatusDecision } from "../domain/order";
import type { KeysetCursor as OrderCursor } from "@app/shared";

export type { Clock } from "@app/shared";

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export interface ShortLine {
  productId: string;
  requested: number;
  available: number;
}

export type ReserveOutcome =
  | { kind: "reserved"; status: "RESERVED" | "CONFIRMED" | "RELEASED"; items: ReservedLine[] }
  | { kind: "out_of_stock"; shortItems: ShortLine[] }
  | { kind: "products_missing"; productIds: string[] }
  | { kind: "unavailable"; retryAfterSeconds: number };

export type ReleaseOutcome =
  | { kind: "released" }
  | { kind: "not_found" }
  /** The reservation is CONFIRMED: an order holds it, and only its cancellation releases it. */
  | { kind: "backs_an_order" }
  | { kind: "unavailable"; retryAfterSeconds: number };

/** The catalog's internal reservation API (idempotent on reservationId). */
export interface CatalogReservations {
  reserve(reservationId: string, items: RequestedLine[]): Promise<ReserveOutcome>;
  release(reservationId: string): Promise<ReleaseOutcome>;
}

export type PaymentOutcome =
  | { kind: "approved" }
  | { kind: "declined"; reason: string }
  | { kind: "unavailable"; retryAfterSeconds: number };

export type VoidOutcome = { kind: "voided" } | { kind: "unavailable" };

export interface PaymentGateway {
  /**
   * `reference` is stable per (user, Idempotency-Key): while an authorization under it is live,
   * another authorize is the same authorization, not a second hold on the customer's money.
   */
  authorize(request: {
    reference: string;
    amount: number;
    currency: string;
  }): Promise<PaymentOutcome>;
  /** Cancels the live authorization under `reference`, if there is one; idempotent. */
  void(reference: string): Promise<VoidOutcome>;
}

export interface IdempotencyRecord {
  userId: string;
  key: string;
  requestHash: string;
  state: KeyState;
  reservationId: string;
  response: StoredResponse | null;
  createdAt: Date;
}

export interface KeyRef {
  userId: string;
  key: string;
  reservationId: string;
}

/** Fast path in front of the store; every method tolerates Redis being down. */
export interface IdempotencyCache {
  getResponse(
    userId: string,
    key: string,
  ): Promise<{ requestHash: string; response: StoredResponse } | null>;
  putResponse(
    userId: string,
    key: string,
    entry: { requestHash: string; response: StoredResponse },
    ttlSeconds: number,
  ): Promise<void>;
}

export interface PlacementCommit {
  ref: KeyRef;
  order: Order;
  response: StoredResponse;
  requestId: string | null;
  now: Date;
}

export type CommitOutcome =
  { kind: "committed" } | { kind: "lease_lost" } | { kind: "reservation_abandoned" };

export type ReservationState =
  { state: "ORDER_EXISTS"; orderId: string } | { state: "PENDING" } | { state: "NO_ORDER" };

export interface ExpiredPlacement {
  userId: string;
  key: string;
  reservationId: string;
}

export type RecoveryClaim =
  { kind: "order_exists"; order: Order } | { kind: "claimed" } | { kind: "gone" };

/**
 * The placement's records: the key per (user, Idempotency-Key), whose primary key is what makes
 * "one placement per key" hold with or without Redis, and the reservations recorded as abandoned.
 * Every transition of domain/keyLifecycle is one method here.
 */
export interface PlacementStore {
  /** Inserts an IN_FLIGHT record; when one exists (and is not past retention) returns it instead. */
  claim(
    record: KeyRef & { requestHash: string; lockedUntil: Date; now: Date },
    retentionCutoff: Date,
  ): Promise<{ kind: "claimed" } | { kind: "exists"; record: IdempotencyRecord }>;
  find(userId: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores a final answer without an order, if the record is still this placement's. */
  complete(ref: KeyRef, response: StoredResponse, now: Date): Promise<boolean>;
  /** Order, items, outbox row and the completed key in one transaction. */
  commitPlacement(commit: PlacementCommit): Promise<CommitOutcome>;
  /**
   * Whether this placement's commit landed (its key completed with its order), waiting for a
   * commit still in progress; asked when the commit's acknowledgement was lost.
   */
  placementCommitted(ref: KeyRef): Promise<boolean>;
  /** Frees the key (transient failure or recovered crash), if the record is still this placement's. */
  free(ref: KeyRef): Promise<void>;
  purgeCompletedBefore(cutoff: Date, limit: number): Promise<number>;
  /** Whether an order holds the reservation; reads only (NO_ORDER here is not final). */
  reservationState(reservationId: string): Promise<ReservationState>;
  /**
   * For the catalog's sweeper: records the reservation as abandoned unless an order holds it or
   * its placement is still running. NO_ORDER is then final: no order can be created with it.
   */
  abandonUnlessOrdered(reservationId: string, now: Date): Promise<ReservationState>;
  expiredPlacements(now: Date, limit: number): Promise<ExpiredPlacement[]>;
  /** Takes an expired placement over: completes it when its order exists, else marks it RECOVERING. */
  claimForRecovery(
    placement: ExpiredPlacement,
    answer: (order: Order) => StoredResponse,
    now: Date,
    leaseUntil: Date,
  ): Promise<RecoveryClaim>;
}

export interface OrderStore {
  /** Locks the order, lets `decide` judge it, applies a change with its outbox row in the same transaction. */
  changeStatus(
    orderId: string,
    decide: (order: Order) => StatusDecision | { kind: "hidden" },
    context: { requestId: string | null; now: Date },
  ): Promise<
    | { kind: "missing" }
    | { kind: "decided"; decision: StatusDecision | { kind: "hidden" }; order: Order }
  >;
}

export interface OrderPage {
  items: Order[];
  nextCursor: OrderCursor | null;
}

export interface OrderReader {
  /** Live orders first, then the archive. */
  findById(orderId: string): Promise<Order | null>;
  listByUser(userId: string, limit: number, after: OrderCursor | null): Promise<OrderPage>;
}

export type PlacementMetricOutcome =
  | "created"
  | "out_of_stock"
  | "product_not_found"
  | "payment_declined"
  | "currency_mismatch"
  | "dependency_unavailable"
  | "replayed"
  | "key_in_use"
  | "key_reused"
  | "error";

export interface OrderMetrics {
  placement(outcome: PlacementMetricOutcome, seconds: number): void;
  replay(): void;
  inFlightConflict(): void;
  recovery(outcome: "completed" | "freed" | "deferred"): void;
}

export type { OrderStatus };
