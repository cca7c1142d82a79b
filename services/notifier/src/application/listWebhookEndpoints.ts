import type { KeysetCursor } from "@app/shared";
import type { WebhookEndpoint } from "../domain/webhookEndpoint";
import { toPage, type Page } from "./page";
import type { WebhookEndpointStore } from "./ports";

/** Registered endpoints, newest first. */
export async function listWebhookEndpoints(
  deps: { endpoints: WebhookEndpointStore },
  input: { limit: number; after: KeysetCursor | null },
): Promise<Page<WebhookEndpoint>> {
  return toPage(await deps.endpoints.list(input.limit + 1, input.after), input.limit);
}
