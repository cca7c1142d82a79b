import type { SweepReport } from "./ports";

export interface ExpiredReservation {
  reservationId: string;
  expiresAt: string;
  createdAt: string;
  /** Units held, summed over the reservation's lines. */
  units: number;
  lines: number;
}

/** Reservations past their TTL that no event settled yet (what the sweeper will look at). */
export interface ExpiredReservationQuery {
  listExpired(now: Date, limit: number): Promise<ExpiredReservation[]>;
  countExpired(now: Date): Promise<number>;
}

export interface SweepTotals {
  passes: number;
  confirmed: number;
  released: number;
  left: number;
}

/**
 * Sweeps pass after pass until a pass settles nothing new (what is left waits for the order
 * service, or is not expired), at most `maxPasses`.
 */
export async function sweepUntilDone(
  sweepOnce: () => Promise<SweepReport>,
  maxPasses: number,
): Promise<SweepTotals> {
  const totals: SweepTotals = { passes: 0, confirmed: 0, released: 0, left: 0 };
  while (totals.passes < maxPasses) {
    const report = await sweepOnce();
    totals.passes++;
    totals.confirmed += report.confirmed.length;
    totals.released += report.released.length;
    totals.left = report.left.length;
    if (report.confirmed.length + report.released.length === 0) break;
  }
  return totals;
}
