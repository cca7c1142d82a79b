import type { KeysetCursor } from "@app/shared";
import type { WebhookEndpoint } from "../domain/webhookEndpoint";
import { toPage, type Page } from "./page";
import type { WebhookEndpointStore } from "./ports";

/** Registered endpoints, newest first. */
export async function listWebhookEndpoints(
  endpoints: WebhookEndpointStore,
  limit: number,
  after: KeysetCursor | null,
): Promise<Page<WebhookEndpoint>> {
  return toPage(await endpoints.list(limit + 1, after), limit);
}
