import { jitteredBackoffMs } from "@app/shared";

export const DELIVERY_CHANNELS = ["EMAIL", "WEBHOOK"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export type DeliveryStatus = "PENDING" | "SENT" | "FAILED";

/** One notification on its way through one channel to one target (a user's inbox, an endpoint). */
export interface Delivery {
  id: string;
  notificationId: string;
  channel: DeliveryChannel;
  /** The user id for EMAIL, the webhook endpoint id for WEBHOOK. */
  target: string;
  status: DeliveryStatus;
  /** Sends started, the one in hand included. */
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface RetryPolicy {
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A delivery older than this is given up instead of retried. */
  maxAgeMs: number;
}

export type AfterFailure = { kind: "retry"; at: Date } | { kind: "failed" };

/** After a failed send: back off with jitter, or give up once the next try would be too late. */
export function decideAfterFailure(
  delivery: Pick<Delivery, "attempts" | "createdAt">,
  policy: RetryPolicy,
  now: Date,
  random: () => number = Math.random,
): AfterFailure {
  const wait = jitteredBackoffMs(
    delivery.attempts,
    policy.backoffBaseMs,
    policy.backoffMaxMs,
    random,
  );
  const at = new Date(now.getTime() + wait);
  if (at.getTime() - delivery.createdAt.getTime() > policy.maxAgeMs) return { kind: "failed" };
  return { kind: "retry", at };
}
