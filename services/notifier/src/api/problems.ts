import { ProblemError, problems, unmappedFailure } from "@app/shared";
import type { ChangeOutcome } from "../application/changeWebhookEndpoint";
import type { RegisterOutcome } from "../application/registerWebhookEndpoint";

/** Every expected failure the notifier answers with a problem. */
export type NotifierFailure =
  Exclude<RegisterOutcome, { kind: "registered" }> | Exclude<ChangeOutcome, { kind: "changed" }>;

/** Every expected failure and the problem the client sees; the one place for it. */
export function problemFor(failure: NotifierFailure): ProblemError {
  switch (failure.kind) {
    case "webhook_url_not_allowed":
      return new ProblemError({
        status: 422,
        code: "WEBHOOK_URL_NOT_ALLOWED",
        title: "Webhook URL not allowed",
        detail: `The webhook URL is not allowed: ${failure.reason}.`,
      });
    case "webhook_endpoint_not_found":
      return problems.notFound("WEBHOOK_ENDPOINT_NOT_FOUND", "No webhook endpoint has this id.");
    default:
      return unmappedFailure(failure);
  }
}
