import type { KeysetCursor as ListCursor } from "@app/shared";
import type { NewProduct, Product, ProductPatch, StockLevel } from "../domain/product";
import type {
  OrderState,
  Reservation,
  ReservationLine,
  ShortItem,
  SweepDecision,
  ReleaseCause,
} from "../domain/reservation";

export interface ProductPage {
  items: Product[];
  next: ListCursor | null;
}

export interface ProductRepository {
  list(limit: number, after?: ListCursor): Promise<ProductPage>;
  findById(id: string): Promise<Product | null>;
  create(
    id: string,
    input: NewProduct,
    now: Date,
  ): Promise<{ kind: "created"; product: Product } | { kind: "sku_taken" }>;
  /** Applies the patch; with `ifUpdatedAt`, only if the product was last updated at one of them. */
  update(
    id: string,
    patch: ProductPatch,
    now: Date,
    ifUpdatedAt?: Date[],
  ): Promise<UpdateProductResult>;
}

export type UpdateProductResult =
  { kind: "updated"; product: Product } | { kind: "not_found" } | { kind: "stale" };

export type SetStockResult =
  | { kind: "updated"; stock: StockLevel }
  | { kind: "not_found" }
  | { kind: "version_conflict"; currentVersion: number };

export interface StockRepository {
  /** Sets the quantity only if the stock version is still one of `acceptedVersions`. */
  setQuantity(
    productId: string,
    quantity: number,
    acceptedVersions: number[],
    now: Date,
  ): Promise<SetStockResult>;
}

/** One attempt of the reservation transaction; "conflict" means a stock version moved and nothing was kept. */
export type ReserveAttempt =
  | { kind: "reserved"; reservation: Reservation }
  | { kind: "replayed"; reservation: Reservation }
  | { kind: "products_missing"; productIds: string[] }
  | { kind: "out_of_stock"; shortItems: ShortItem[] }
  | { kind: "conflict" };

/** The order event whose effect is being applied; recorded in the same transaction as the effect. */
export interface EventMark {
  eventId: string;
  eventType: string;
}

export type ConfirmResult =
  | { kind: "confirmed" | "already_confirmed" | "released"; reservation: Reservation }
  | { kind: "not_found" }
  | { kind: "duplicate_event" };

export type ReleaseResult =
  | { kind: "released" | "already_released" | "confirmed"; reservation: Reservation }
  | { kind: "not_found" }
  | { kind: "duplicate_event" };

export interface SweepReport {
  confirmed: string[];
  released: string[];
  left: string[];
  /** Products whose stock came back, for cache invalidation. */
  releasedProductIds: string[];
}

/** confirm and release record the given event in their transaction whatever the outcome, so a redelivery is a duplicate. */
export interface ReservationStore {
  tryReserve(
    reservationId: string,
    lines: ReservationLine[],
    expiresAt: Date,
    now: Date,
  ): Promise<ReserveAttempt>;
  find(reservationId: string): Promise<Reservation | null>;
  confirm(reservationId: string, now: Date, event?: EventMark): Promise<ConfirmResult>;
  /** Gives the stock back once; a CONFIRMED reservation only when `cause` is its order's cancellation. */
  release(
    reservationId: string,
    cause: ReleaseCause,
    now: Date,
    event?: EventMark,
  ): Promise<ReleaseResult>;
  /**
   * Claims up to `limit` expired RESERVED reservations (rows other sweepers hold are skipped),
   * asks `decide` for each and applies the decisions before letting the claim go.
   */
  sweepExpired(
    limit: number,
    now: Date,
    decide: (reservationId: string) => Promise<SweepDecision>,
  ): Promise<SweepReport>;
}

/** Cache-aside for public reads; a cache failure degrades to the loader, never to an error. */
export interface ProductCache {
  product(id: string, load: () => Promise<Product | null>): Promise<Product | null>;
  firstPage(limit: number, load: () => Promise<ProductPage>): Promise<ProductPage>;
  /** After a committed write: the next read of these products (and of the list) sees the database. */
  invalidate(productIds: string[]): Promise<void>;
}

/** The order service decides whether an expired reservation is abandoned (NO_ORDER is final). */
export interface ReservationAbandonment {
  /** UNKNOWN when the order service could not answer. */
  abandonUnlessOrdered(reservationId: string): Promise<OrderState>;
}

export type ReservationOutcome =
  "reserved" | "replayed" | "out_of_stock" | "products_missing" | "contention";

export interface CatalogMetrics {
  reservation(outcome: ReservationOutcome): void;
  versionConflictRetry(): void;
  settled(action: "confirmed" | "released", source: "api" | "event" | "sweeper"): void;
}

export type { Clock } from "@app/shared";
