import { randomUUID } from "node:crypto";

/** Every id this system makes (entities, reservations, request ids, JWT ids): a random UUID. */
export function newId(): string {
  return randomUUID();
}

/** Where a use case takes its ids from, so a test can pass predictable ones. */
export interface IdGenerator {
  newId(): string;
}

export const randomIds: IdGenerator = { newId };
