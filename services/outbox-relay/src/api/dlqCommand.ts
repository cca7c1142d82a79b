import { parseCommandWord } from "@app/shared";
import { deadLetterSummary, type DeadLetter } from "../domain/deadLetter";
import {
  replayDeadLetters,
  selectDeadLetters,
  type DeadLetterSource,
  type ReplayPublisher,
  type Selection,
} from "../application/replayDeadLetters";

export const DLQ_USAGE =
  "usage: dlq list | show --event-id <id> | replay (--event-id <id> | --all) [--to <topic>] [--dry-run]";

export type DlqCommand =
  | { name: "list"; dryRun: boolean }
  | { name: "show"; eventId: string; dryRun: boolean }
  | { name: "replay"; selection: Selection; to?: string; dryRun: boolean };

/** The command line, or the message that says what is wrong with it. */
export function parseDlqCommand(argv: string[]): DlqCommand | { error: string } {
  const parsed = parseCommandWord(
    argv,
    {
      "event-id": { type: "string" },
      all: { type: "boolean", default: false },
      to: { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
    DLQ_USAGE,
  );
  if ("error" in parsed) return parsed;
  const { word, values } = parsed;
  const dryRun = values["dry-run"] ?? false;
  const eventId = values["event-id"];
  switch (word) {
    case "list":
      return { name: "list", dryRun };
    case "show":
      return eventId
        ? { name: "show", eventId, dryRun }
        : { error: `show needs --event-id; ${DLQ_USAGE}` };
    case "replay":
      if (Boolean(eventId) === Boolean(values.all))
        return { error: `replay needs exactly one of --event-id and --all; ${DLQ_USAGE}` };
      return {
        name: "replay",
        selection: eventId ? { kind: "eventId", eventId } : { kind: "all" },
        to: values.to,
        dryRun,
      };
    default:
      return { error: `unknown command ${word}; ${DLQ_USAGE}` };
  }
}

/** Runs a parsed command; detail lines first, the one-line JSON summary last. */
export async function runDlqCommand(
  command: DlqCommand,
  deps: { source: DeadLetterSource; publisher: ReplayPublisher; dlqTopic: string },
  print: (line: string) => void,
): Promise<void> {
  const line = (value: unknown) => print(JSON.stringify(value));
  if (command.name === "list") {
    const letters = await deps.source.readAll();
    for (const letter of letters) line(deadLetterSummary(letter));
    return line({ command: "list", topic: deps.dlqTopic, count: letters.length });
  }
  if (command.name === "show") {
    const letters = selectDeadLetters(await deps.source.readAll(), {
      kind: "eventId",
      eventId: command.eventId,
    });
    for (const letter of letters) line(fullView(letter));
    return line({ command: "show", eventId: command.eventId, count: letters.length });
  }
  const report = await replayDeadLetters(deps, command);
  line({
    command: "replay",
    dryRun: command.dryRun,
    ...(command.selection.kind === "eventId" ? { eventId: command.selection.eventId } : {}),
    ...report,
  });
}

function fullView(letter: DeadLetter) {
  let value: unknown = letter.value;
  try {
    value = letter.value === null ? null : JSON.parse(letter.value);
  } catch {
    // Unreadable values are shown as the text they are: often the reason they are here.
  }
  return { ...deadLetterSummary(letter), headers: letter.headers, value };
}
