// Every statement that changes a stock quantity, in one place. Each bumps `version` in the
// same statement, so an optimistic reader holding the old version can never overwrite it.

/**
 * Reservation: takes units only if enough remain, under the row's lock. It bumps `version` like
 * every change, so an admin's `expectedVersion` from before it no longer applies.
 */
export const DECREMENT_IF_AVAILABLE =
  "UPDATE stocks SET quantity = quantity - ?, version = version + 1, updated_at = ? WHERE product_id = ? AND quantity >= ?";

/** Release: giving units back cannot break the invariant; the reservation row lock makes it once-only. */
export const INCREMENT =
  "UPDATE stocks SET quantity = quantity + ?, version = version + 1, updated_at = ? WHERE product_id = ?";

/**
 * Admin update (If-Match or expectedVersion): applies only to a version the admin saw, so it can
 * never overwrite a reservation made since. There is no unconditional variant on purpose.
 */
export const setIfVersionIn = (versions: number) =>
  `UPDATE stocks SET quantity = ?, version = version + 1, updated_at = ? WHERE product_id = ? AND version IN (${Array(versions).fill("?").join(", ")})`;
