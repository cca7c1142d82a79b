/** What the error classifiers read of an error: the driver's, Prisma's and Node's fields. */
export interface DescribedError {
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  /** Prisma's driver adapter error cause: { kind, code (the errno), state }. */
  state?: unknown;
  kind?: unknown;
  cause?: unknown;
  /** Prisma's known request errors carry the adapter's error here. */
  meta?: { driverAdapterError?: unknown };
}

/**
 * The error and each error it wraps, outermost first: Prisma's driver adapter error (in `meta`),
 * else `cause`. A cycle ends the walk.
 */
export function* errorChain(error: unknown): Generator<DescribedError> {
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === "object" && !seen.has(e);) {
    seen.add(e);
    const described = e as DescribedError;
    yield described;
    e = described.meta?.driverAdapterError ?? described.cause;
  }
}
