import { decideAfterFailure, type DeliveryChannel, type RetryPolicy } from "../domain/delivery";
import type { ClaimedDelivery, Clock, DeliveryStore, NotifierHooks, SendAttempt } from "./ports";

export interface DeliveryOutcomes {
  /** One per settled delivery: sent, retried or failed. */
  settled(channel: DeliveryChannel, outcome: "sent" | "retried" | "failed"): void;
}

export interface DeliverDeps {
  deliveries: DeliveryStore;
  clock: Clock;
  policy: RetryPolicy;
  batchSize: number;
  /** How long a claim keeps other workers off: longer than any one send may take. */
  leaseMs: number;
  outcomes: DeliveryOutcomes;
  hooks?: NotifierHooks;
}

/**
 * One pass of the delivery worker over one channel: claim the due deliveries, send them side by
 * side, settle each (sent, again later with backoff, or failed). Returns whether the batch was
 * full, i.e. whether more may be due right now.
 *
 * A crash after a send and before its mark leaves the claim to expire: the delivery is sent again,
 * with the same Message-ID / webhook-id, so the receiver can drop the copy.
 */
export async function deliverDue(
  deps: DeliverDeps,
  channel: DeliveryChannel,
  send: (delivery: ClaimedDelivery) => Promise<SendAttempt>,
): Promise<boolean> {
  const now = deps.clock.now();
  const claimed = await deps.deliveries.claimDue(
    channel,
    now,
    deps.batchSize,
    new Date(now.getTime() + deps.leaseMs),
  );
  await Promise.all(claimed.map((delivery) => deliverOne(deps, delivery, send)));
  return claimed.length === deps.batchSize;
}

async function deliverOne(
  deps: DeliverDeps,
  delivery: ClaimedDelivery,
  send: (delivery: ClaimedDelivery) => Promise<SendAttempt>,
): Promise<void> {
  let attempt: SendAttempt;
  try {
    attempt = await send(delivery);
  } catch (error) {
    attempt = { ok: false, permanent: false, error: (error as Error).message };
  }
  if (attempt.ok) {
    await deps.hooks?.afterSend?.(delivery);
    await deps.deliveries.markSent(delivery, deps.clock.now());
    deps.outcomes.settled(delivery.channel, "sent");
    return;
  }
  const decision = attempt.permanent
    ? ({ kind: "failed" } as const)
    : decideAfterFailure(delivery, deps.policy, deps.clock.now());
  if (decision.kind === "retry") {
    await deps.deliveries.reschedule(delivery, decision.at, attempt.error);
    deps.outcomes.settled(delivery.channel, "retried");
  } else {
    await deps.deliveries.markFailed(delivery, attempt.error);
    deps.outcomes.settled(delivery.channel, "failed");
  }
}
