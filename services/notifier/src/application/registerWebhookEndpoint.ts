import type { WebhookEndpoint } from "../domain/webhookEndpoint";
import type { Clock, IdGenerator, UrlGuard, WebhookEndpointStore } from "./ports";

export interface EndpointAdminDeps {
  endpoints: WebhookEndpointStore;
  urls: UrlGuard;
  clock: Clock;
  ids: IdGenerator;
  newSecret(): string;
}

export type RegisterOutcome =
  | { kind: "registered"; endpoint: WebhookEndpoint }
  | { kind: "webhook_url_not_allowed"; reason: string };

/** Registers an endpoint for the given event types, enabled, with a new signing secret. */
export async function registerWebhookEndpoint(
  deps: EndpointAdminDeps,
  input: { url: string; eventTypes: string[] },
): Promise<RegisterOutcome> {
  const reason = await deps.urls.refusal(input.url);
  if (reason) return { kind: "webhook_url_not_allowed", reason };
  const now = deps.clock.now();
  const endpoint: WebhookEndpoint = {
    id: deps.ids.newId(),
    url: input.url,
    eventTypes: [...new Set(input.eventTypes)].sort(),
    secret: deps.newSecret(),
    status: "ENABLED",
    disabledReason: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.endpoints.create(endpoint);
  return { kind: "registered", endpoint };
}
