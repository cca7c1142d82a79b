import type { Logger } from "@app/shared";
import { failingTooLong, webhookBody } from "../domain/webhookEndpoint";
import type {
  ClaimedDelivery,
  Clock,
  SendAttempt,
  UrlGuard,
  WebhookEndpointStore,
  WebhookSender,
} from "./ports";

export interface WebhookDeps {
  endpoints: WebhookEndpointStore;
  sender: WebhookSender;
  urls: UrlGuard;
  clock: Clock;
  /** An endpoint failing this long without a success is disabled. */
  disableAfterMs: number;
  /** Told once when an endpoint is disabled for failing (metric). */
  onDisabled(endpointId: string): void;
  logger: Logger;
}

/**
 * Sends one WEBHOOK delivery, signed per Standard Webhooks with the endpoint's secret. The URL is
 * checked again at send time (its name may resolve elsewhere now). A failure starts or extends
 * the endpoint's failing period; failing for `disableAfterMs` disables it.
 */
export async function callWebhook(
  deps: WebhookDeps,
  delivery: ClaimedDelivery,
): Promise<SendAttempt> {
  const endpoint = await deps.endpoints.get(delivery.target);
  if (!endpoint) return { ok: false, permanent: true, error: "the endpoint no longer exists" };
  if (endpoint.status !== "ENABLED")
    return { ok: false, permanent: true, error: "the endpoint is disabled" };
  const refusal = await deps.urls.refusal(endpoint.url);
  const attempt: SendAttempt = refusal
    ? { ok: false, permanent: false, error: refusal }
    : await deps.sender.post({
        url: endpoint.url,
        secret: endpoint.secret,
        messageId: delivery.notification.eventId,
        timestamp: deps.clock.now(),
        body: JSON.stringify(webhookBody(delivery.notification)),
      });
  if (attempt.ok) {
    if (endpoint.failingSince) await deps.endpoints.recordSuccess(endpoint.id);
    return attempt;
  }
  const now = deps.clock.now();
  const failingSince = (await deps.endpoints.recordFailure(endpoint.id, now)) ?? now;
  if (!failingTooLong(failingSince, now, deps.disableAfterMs)) return attempt;
  const reason = `failing since ${failingSince.toISOString()}: ${attempt.error}`.slice(0, 500);
  await deps.endpoints.update(endpoint.id, {
    status: "DISABLED",
    disabledReason: reason,
    updatedAt: now,
  });
  deps.logger.warn("webhook endpoint disabled", { endpointId: endpoint.id, reason });
  deps.onDisabled(endpoint.id);
  return { ok: false, permanent: true, error: `endpoint disabled after failing: ${attempt.error}` };
}
