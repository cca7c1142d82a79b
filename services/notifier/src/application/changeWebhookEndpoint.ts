import type { WebhookEndpoint } from "../domain/webhookEndpoint";
import type { EndpointAdminDeps } from "./registerWebhookEndpoint";

export type ChangeOutcome =
  { ok: true; endpoint: WebhookEndpoint } | { ok: false; error: "WEBHOOK_ENDPOINT_NOT_FOUND" };

const notFound = { ok: false, error: "WEBHOOK_ENDPOINT_NOT_FOUND" } as const;

/** Disables an endpoint: nothing more is sent to it, and its pending deliveries fail. */
export async function disableWebhookEndpoint(
  deps: EndpointAdminDeps,
  id: string,
): Promise<ChangeOutcome> {
  const endpoint = await deps.endpoints.update(id, {
    status: "DISABLED",
    disabledReason: "disabled by an administrator",
    updatedAt: deps.clock.now(),
  });
  return endpoint ? { ok: true, endpoint } : notFound;
}

/** Enables an endpoint again (after an administrator's or the failure rule's disable), with a clean record. */
export async function enableWebhookEndpoint(
  deps: EndpointAdminDeps,
  id: string,
): Promise<ChangeOutcome> {
  const endpoint = await deps.endpoints.update(id, {
    status: "ENABLED",
    disabledReason: null,
    failingSince: null,
    updatedAt: deps.clock.now(),
  });
  return endpoint ? { ok: true, endpoint } : notFound;
}

/** Replaces the signing secret; every call from now on is signed with the new one. */
export async function rotateWebhookSecret(
  deps: EndpointAdminDeps,
  id: string,
): Promise<ChangeOutcome> {
  const endpoint = await deps.endpoints.update(id, {
    secret: deps.newSecret(),
    updatedAt: deps.clock.now(),
  });
  return endpoint ? { ok: true, endpoint } : notFound;
}
