/**
 * The life of one (user, Idempotency-Key) record. A placement claims the key IN_FLIGHT under a
 * lease; it ends COMPLETED (its final answer stored) or freed (the row deleted, so a retry may
 * claim it). A placement whose lease lapsed is taken over by recovery as RECOVERING, which a late
 * commit of the dead placement cannot complete; recovery then completes it (its order exists) or
 * frees it. A COMPLETED key is purged after its retention.
 */
export type KeyState = "IN_FLIGHT" | "RECOVERING" | "COMPLETED";

export type KeyTransition =
  /** The placement committed its order, or stored another final answer. */
  | "complete"
  /** Recovery found the order of a lapsed placement. */
  | "complete_from_order"
  /** Recovery took a lapsed placement over. */
  | "take_over"
  /** A transient failure, or recovery returned what the placement held. */
  | "free"
  /** Retention is over. */
  | "purge";

const FROM: Record<KeyTransition, readonly KeyState[]> = {
  complete: ["IN_FLIGHT"],
  complete_from_order: ["IN_FLIGHT", "RECOVERING"],
  take_over: ["IN_FLIGHT", "RECOVERING"],
  free: ["IN_FLIGHT", "RECOVERING"],
  purge: ["COMPLETED"],
};

export function canTransition(from: KeyState, transition: KeyTransition): boolean {
  return FROM[transition].includes(from);
}

/** What a key's current holder is: the placement that claimed it with this reservation. */
export interface KeyHolder {
  state: KeyState;
  reservationId: string;
}

/** Only the placement that claimed the key, still IN_FLIGHT, may commit under it. */
export function mayCommit(key: KeyHolder | undefined, reservationId: string): boolean {
  return (
    key !== undefined && key.reservationId === reservationId && canTransition(key.state, "complete")
  );
}

/** A key found already claimed: its answer is replayed, or the request is refused. */
export type ExistingKeyDecision = "replay" | "in_use" | "reused";

export function decideExistingKey(
  existing: { requestHash: string; state: KeyState; hasAnswer: boolean },
  requestHash: string,
): ExistingKeyDecision {
  if (existing.requestHash !== requestHash) return "reused";
  return existing.state === "COMPLETED" && existing.hasAnswer ? "replay" : "in_use";
}

/** When a key's stored answer stops being replayed (and its row may be purged). */
export function retentionCutoff(now: Date, retentionHours: number): Date {
  return new Date(now.getTime() - retentionHours * 3600_000);
}

/** Seconds a key's answer is still replayed, at least one (a cache entry lives that long). */
export function secondsLeftOfRetention(createdAt: Date, now: Date, retentionHours: number): number {
  const expiresAt = createdAt.getTime() + retentionHours * 3600_000;
  return Math.max(1, Math.floor((expiresAt - now.getTime()) / 1000));
}
