// Every statement that changes a stock quantity, in one place. Each bumps `version` in the
// same statement, so an optimistic reader holding the old version can never overwrite it.

/** Reservation: takes units only if nobody changed the row since it was read and enough remain. */
export const DECREMENT_IF_VERSION =
  "UPDATE stocks SET quantity = quantity - ?, version = version + 1, updated_at = ? WHERE product_id = ? AND version = ? AND quantity >= ?";

/** The alternative measured in scripts/bench-hot-product.ts (not used by the service): no version check. */
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
