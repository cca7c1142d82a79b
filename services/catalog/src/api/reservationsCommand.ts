import { parseCommandWord } from "@app/shared";
import { sweepUntilDone, type ExpiredReservationQuery } from "../application/expiredReservations";
import type { SweepReport } from "../application/ports";

export const RESERVATIONS_USAGE =
  "usage: reservations list-expired [--limit <n>] | sweep [--dry-run]";

export type ReservationsCommand =
  { name: "list-expired"; limit: number; dryRun: boolean } | { name: "sweep"; dryRun: boolean };

export function parseReservationsCommand(argv: string[]): ReservationsCommand | { error: string } {
  const parsed = parseCommandWord(
    argv,
    {
      limit: { type: "string", default: "100" },
      "dry-run": { type: "boolean", default: false },
    },
    RESERVATIONS_USAGE,
  );
  if ("error" in parsed) return parsed;
  const { word, values } = parsed;
  const dryRun = values["dry-run"] ?? false;
  if (word === "list-expired") {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      return { error: `--limit must be 1..10000; ${RESERVATIONS_USAGE}` };
    return { name: "list-expired", limit, dryRun };
  }
  if (word === "sweep") return { name: "sweep", dryRun };
  return { error: `unknown command ${word}; ${RESERVATIONS_USAGE}` };
}

const MAX_PASSES = 1000;

/** Runs a parsed command; detail lines first, the one-line JSON summary last. */
export async function runReservationsCommand(
  command: ReservationsCommand,
  deps: {
    expired: ExpiredReservationQuery;
    sweepOnce: () => Promise<SweepReport>;
    now: () => Date;
  },
  print: (line: string) => void,
): Promise<void> {
  const now = deps.now();
  if (command.name === "list-expired") {
    const [listed, total] = await Promise.all([
      deps.expired.listExpired(now, command.limit),
      deps.expired.countExpired(now),
    ]);
    for (const reservation of listed) print(JSON.stringify(reservation));
    print(JSON.stringify({ command: "list-expired", expired: total, listed: listed.length }));
    return;
  }
  // A dry run asks the order service nothing: its answer is itself a decision (NO_ORDER).
  if (command.dryRun) {
    const expired = await deps.expired.countExpired(now);
    print(JSON.stringify({ command: "sweep", dryRun: true, expired }));
    return;
  }
  const totals = await sweepUntilDone(deps.sweepOnce, MAX_PASSES);
  print(JSON.stringify({ command: "sweep", dryRun: false, ...totals }));
}
