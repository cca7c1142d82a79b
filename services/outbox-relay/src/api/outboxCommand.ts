import { parseCommandWord, type Clock } from "@app/shared";
import { requeueFailedEvents, type OutboxMaintenanceStore } from "../application/outboxMaintenance";

export const OUTBOX_USAGE =
  "usage: outbox status | requeue (--failed | --event-id <id>) [--dry-run]";

export type OutboxCommand =
  { name: "status"; dryRun: boolean } | { name: "requeue"; eventId?: string; dryRun: boolean };

export function parseOutboxCommand(argv: string[]): OutboxCommand | { error: string } {
  const parsed = parseCommandWord(
    argv,
    {
      failed: { type: "boolean", default: false },
      "event-id": { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
    OUTBOX_USAGE,
  );
  if ("error" in parsed) return parsed;
  const { word, values } = parsed;
  const dryRun = values["dry-run"] ?? false;
  if (word === "status") return { name: "status", dryRun };
  if (word === "requeue") {
    // Only FAILED rows are requeued; saying so (or naming one event) keeps it deliberate.
    if (!values.failed && !values["event-id"])
      return { error: `requeue needs --failed or --event-id; ${OUTBOX_USAGE}` };
    return { name: "requeue", eventId: values["event-id"], dryRun };
  }
  return { error: `unknown command ${word}; ${OUTBOX_USAGE}` };
}

const FAILED_SHOWN = 50;

/** Runs a parsed command; detail lines first, the one-line JSON summary last. */
export async function runOutboxCommand(
  command: OutboxCommand,
  deps: { store: OutboxMaintenanceStore; clock: Clock },
  print: (line: string) => void,
): Promise<void> {
  if (command.name === "status") {
    const status = await deps.store.status(FAILED_SHOWN, deps.clock.now());
    for (const row of status.failed) print(JSON.stringify({ failed: row }));
    print(
      JSON.stringify({
        command: "status",
        ...status.byStatus,
        oldestReadyAgeSeconds: status.oldestReadyAgeSeconds,
      }),
    );
    return;
  }
  const report = await requeueFailedEvents(deps, {
    eventId: command.eventId,
    dryRun: command.dryRun,
  });
  print(
    JSON.stringify({
      command: "requeue",
      dryRun: command.dryRun,
      ...(command.eventId ? { eventId: command.eventId } : {}),
      ...report,
    }),
  );
}
