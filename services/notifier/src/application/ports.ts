import type { KeysetCursor } from "@app/shared";
import type { Delivery, DeliveryChannel } from "../domain/delivery";
import type { Notification } from "../domain/notification";
import type { WebhookEndpoint } from "../domain/webhookEndpoint";

export type RecordResult =
  | { kind: "created"; notification: Notification }
  | { kind: "duplicate"; notification: Notification };

export type NewDelivery = Pick<Delivery, "id" | "channel" | "target" | "nextAttemptAt">;

/** A notification to write with its deliveries. */
export interface NewNotification {
  notification: Notification;
  deliveries: NewDelivery[];
}

export interface NotificationStore {
  /**
   * Inserts the notifications and their deliveries in one transaction, leaving out those whose
   * event has a notification already (stored before, or earlier in the list); returns the
   * stored row of each, in order.
   */
  recordAll(entries: NewNotification[]): Promise<RecordResult[]>;
}

export interface NotificationReader {
  /** The user's notifications, newest first, after the cursor; one more than `limit` tells whether a next page exists. */
  listForUser(userId: string, limit: number, after: KeysetCursor | null): Promise<Notification[]>;
}

/** A claimed delivery with the notification it carries. */
export interface ClaimedDelivery extends Delivery {
  notification: Notification;
}

export interface DeliveryStore {
  /**
   * Due PENDING deliveries of one channel, claimed until `leaseUntil` (attempts counted): no
   * other worker takes them meanwhile, and a worker that dies leaves them due again after it.
   */
  claimDue(
    channel: DeliveryChannel,
    now: Date,
    limit: number,
    leaseUntil: Date,
  ): Promise<ClaimedDelivery[]>;
  /** The settle of a claim; changes nothing when the claim was lost (another worker holds a newer one). */
  markSent(claim: Delivery, at: Date): Promise<void>;
  reschedule(claim: Delivery, at: Date, error: string): Promise<void>;
  markFailed(claim: Delivery, error: string): Promise<void>;
  /** Seconds since the oldest PENDING delivery was created (0 when none), by channel. */
  oldestPendingAgeSeconds(now: Date): Promise<Record<DeliveryChannel, number>>;
}

export interface WebhookEndpointStore {
  create(endpoint: WebhookEndpoint): Promise<void>;
  get(id: string): Promise<WebhookEndpoint | null>;
  /** Oldest first (registration order), after the cursor. */
  list(limit: number, after: KeysetCursor | null): Promise<WebhookEndpoint[]>;
  enabled(): Promise<WebhookEndpoint[]>;
  update(
    id: string,
    changes: Partial<
      Pick<WebhookEndpoint, "status" | "disabledReason" | "secret" | "failingSince" | "updatedAt">
    >,
  ): Promise<WebhookEndpoint | null>;
  /** Sets failing_since unless already set (a concurrent failure may have); returns the stored value. */
  recordFailure(id: string, at: Date): Promise<Date | null>;
  recordSuccess(id: string): Promise<void>;
}

export interface NotificationPreferences {
  email: boolean;
  updatedAt: Date | null;
}

export interface PreferenceStore {
  get(userId: string): Promise<NotificationPreferences>;
  /** Those of the users who turned email off (no row: email on). */
  emailTurnedOff(userIds: string[]): Promise<Set<string>>;
  set(userId: string, email: boolean, at: Date): Promise<NotificationPreferences>;
}

export type UserLookup = { kind: "found"; email: string } | { kind: "gone" };

/** Where a user's email address comes from (auth); throws when it cannot answer now. */
export interface UserDirectory {
  lookUp(userId: string): Promise<UserLookup>;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Derived from the event id: a resend after a crash is recognisably the same message. */
  messageId: string;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<SendAttempt>;
}

/** A channel adapter's verdict: delivered, or why not and whether trying again can help. */
export type SendAttempt = { ok: true } | { ok: false; permanent: boolean; error: string };

export interface WebhookCall {
  url: string;
  secret: string;
  /** `webhook-id`: the event id, the same on every retry and resend. */
  messageId: string;
  timestamp: Date;
  body: string;
}

export interface WebhookSender {
  post(call: WebhookCall): Promise<SendAttempt>;
}

/** Whether an outgoing URL may be called (SSRF): null when allowed, else why not. */
export interface UrlGuard {
  refusal(url: string): Promise<string | null>;
}

export type { Clock, IdGenerator } from "@app/shared";

/** Test seams at the points where a crash matters. */
export interface NotifierHooks {
  /** Runs after the notification and its deliveries are stored, before the Kafka offset is committed. */
  afterWrite?: (notification: Notification) => Promise<void> | void;
  /** Runs after a channel accepted a delivery, before it is marked sent. */
  afterSend?: (delivery: ClaimedDelivery) => Promise<void> | void;
}
