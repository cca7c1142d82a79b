import { deadLetterHeadersSchema } from "@app/shared";

/** A message on the dead-letter topic, as an operator sees it. */
export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** From the dlq-* headers; null when they are missing or broken (not written by our consumers). */
  reason: {
    error: string;
    errorType: string;
    originalTopic: string;
    consumerGroup: string;
    attempts: number;
  } | null;
  eventId: string | null;
  eventType: string | null;
}

export function toDeadLetter(message: {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}): DeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers))
    if (value !== undefined) headers[name] = value;
  const parsed = deadLetterHeadersSchema.safeParse(headers);
  return {
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    value: message.value?.toString() ?? null,
    headers,
    reason: parsed.success
      ? {
          error: parsed.data["dlq-error"],
          errorType: parsed.data["dlq-error-type"],
          originalTopic: parsed.data["dlq-original-topic"],
          consumerGroup: parsed.data["dlq-consumer-group"],
          attempts: Number(parsed.data["dlq-attempts"]),
        }
      : null,
    eventId: headers["event-id"] ?? null,
    eventType: headers["event-type"] ?? null,
  };
}

/** The one-line view of `dlq list`. */
export function deadLetterSummary(letter: DeadLetter) {
  return {
    partition: letter.partition,
    offset: letter.offset,
    key: letter.key,
    eventId: letter.eventId,
    eventType: letter.eventType,
    error: letter.reason?.error ?? null,
    errorType: letter.reason?.errorType ?? null,
    consumerGroup: letter.reason?.consumerGroup ?? null,
    attempts: letter.reason?.attempts ?? null,
  };
}

/**
 * The message a replay publishes: the original key, value (so the event id) and headers, without
 * the dead-letter's own headers, plus where it was replayed from.
 */
export function replayMessage(letter: DeadLetter, dlqTopic: string) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(letter.headers))
    if (!name.startsWith("dlq-")) headers[name] = value;
  headers["dlq-replayed-from"] = `${dlqTopic}/${letter.partition}/${letter.offset}`;
  return { key: letter.key ?? "", value: letter.value ?? "", headers };
}
