/** Thrown when a message's value is not a valid envelope of its topic's contract. */
export class InvalidEnvelopeError extends Error {
  override name = "InvalidEnvelopeError";
}

/**
 * What the Kafka plumbing needs of a topic's contract: how to read a message's envelope, and a
 * bounded metric label for an event type read from a message.
 */
export interface EnvelopeReader<E extends { eventId: string; eventType: string }> {
  /** Throws InvalidEnvelopeError for bad JSON or a bad envelope. */
  parse(raw: Buffer | string | null): E;
  typeLabel(eventType: string | undefined): string;
}
