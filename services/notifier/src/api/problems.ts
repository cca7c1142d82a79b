import { ProblemError, problems } from "@app/shared";
import type { ChangeOutcome } from "../application/changeWebhookEndpoint";
import type { RegisterOutcome } from "../application/registerWebhookEndpoint";

type Failure<T> = Extract<T, { ok: false }>;
type NotifierFailure = Failure<RegisterOutcome> | Failure<ChangeOutcome>;

/** Every expected failure of a use case and the problem the client sees; the one place for it. */
export function problemFor(failure: NotifierFailure): ProblemError {
  switch (failure.error) {
    case "WEBHOOK_URL_NOT_ALLOWED":
      return new ProblemError({
        status: 422,
        code: "WEBHOOK_URL_NOT_ALLOWED",
        title: "Webhook URL not allowed",
        detail: `The webhook URL is not allowed: ${failure.reason}.`,
      });
    case "WEBHOOK_ENDPOINT_NOT_FOUND":
      return problems.notFound("WEBHOOK_ENDPOINT_NOT_FOUND", "No webhook endpoint has this id.");
  }
}
