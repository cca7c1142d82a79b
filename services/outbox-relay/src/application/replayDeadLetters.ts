import { ORDER_EVENTS_TOPIC, type OutgoingMessage } from "@app/shared";
import { replayMessage, type DeadLetter } from "../domain/deadLetter";

export interface DeadLetterSource {
  /** Every message on the dead-letter topic now. */
  readAll(): Promise<DeadLetter[]>;
}

export interface ReplayPublisher {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
}

export type Selection = { kind: "all" } | { kind: "eventId"; eventId: string };

export function selectDeadLetters(letters: DeadLetter[], selection: Selection): DeadLetter[] {
  return selection.kind === "all"
    ? letters
    : letters.filter((letter) => letter.eventId === selection.eventId);
}

export interface ReplayReport {
  matched: number;
  replayed: number;
  /** Messages per target topic. */
  topics: Record<string, number>;
}

/**
 * Publishes the selected dead letters back with their event id, key and headers, to `to` or
 * else the topic each came from; consumers that already handled an event skip it by its id.
 */
export async function replayDeadLetters(
  deps: { source: DeadLetterSource; publisher: ReplayPublisher; dlqTopic: string },
  options: { selection: Selection; to?: string; dryRun: boolean },
): Promise<ReplayReport> {
  const selected = selectDeadLetters(await deps.source.readAll(), options.selection);
  const byTopic = new Map<string, DeadLetter[]>();
  for (const letter of selected) {
    const topic = options.to ?? letter.reason?.originalTopic ?? ORDER_EVENTS_TOPIC;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), letter]);
  }
  if (!options.dryRun) {
    for (const [topic, letters] of byTopic)
      await deps.publisher.send(
        topic,
        letters.map((letter) => replayMessage(letter, deps.dlqTopic)),
      );
  }
  return {
    matched: selected.length,
    replayed: options.dryRun ? 0 : selected.length,
    topics: Object.fromEntries([...byTopic].map(([topic, letters]) => [topic, letters.length])),
  };
}
