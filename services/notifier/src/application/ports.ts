import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { Notification } from "../domain/notification";

export type RecordResult =
  | { kind: "created"; notification: Notification }
  | { kind: "duplicate"; notification: Notification };

export interface NotificationStore {
  /** Inserts the notification unless one exists for its event; either way returns the stored row. */
  record(notification: Notification): Promise<RecordResult>;
  /** Marks it sent unless it already was. */
  markSent(id: string, at: Date): Promise<void>;
  /** The user's notifications, newest first, after the cursor; one more than `limit` tells whether a next page exists. */
  listForUser(
    userId: string,
    limit: number,
    after: NotificationCursor | null,
  ): Promise<Notification[]>;
}

/** Where a notification goes to reach its user (e-mail, push...). */
export interface NotificationChannel {
  /** Must tolerate the same notification id twice: a crash between send and mark resends. */
  send(notification: Notification): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

/** Test seams at the points where a crash matters. */
export interface NotifierHooks {
  /** Runs after the notification is stored (and sent), before the Kafka offset is committed. */
  afterWrite?: (notification: Notification) => Promise<void> | void;
}
