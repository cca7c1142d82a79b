import type { WebhookEndpoint } from "../domain/webhookEndpoint";
import type { WebhookEndpointStore } from "./ports";
import type { EndpointAdminDeps } from "./registerWebhookEndpoint";

export type EndpointChange = "disable" | "enable" | "rotate_secret";

export type ChangeOutcome =
  { kind: "changed"; endpoint: WebhookEndpoint } | { kind: "webhook_endpoint_not_found" };

type Changes = Parameters<WebhookEndpointStore["update"]>[1];

const CHANGES: Record<EndpointChange, (deps: EndpointAdminDeps) => Changes> = {
  // Nothing more is sent to a disabled endpoint, and its pending deliveries fail.
  disable: () => ({ status: "DISABLED", disabledReason: "disabled by an administrator" }),
  // Enabled again (after an administrator's or the failure rule's disable) with a clean record.
  enable: () => ({ status: "ENABLED", disabledReason: null, failingSince: null }),
  // Every call from now on is signed with the new secret.
  rotate_secret: (deps) => ({ secret: deps.newSecret() }),
};

/** An administrator disables, enables or rotates the secret of an endpoint. */
export async function changeWebhookEndpoint(
  deps: EndpointAdminDeps,
  input: { id: string; change: EndpointChange },
): Promise<ChangeOutcome> {
  const endpoint = await deps.endpoints.update(input.id, {
    ...CHANGES[input.change](deps),
    updatedAt: deps.clock.now(),
  });
  return endpoint ? { kind: "changed", endpoint } : { kind: "webhook_endpoint_not_found" };
}
