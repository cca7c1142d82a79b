import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import type { SendAttempt, WebhookCall, WebhookSender } from "../application/ports";
import type { WebhookUrlGuard } from "./webhookUrlGuard";

/**
 * Posts a webhook signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature` = v1 HMAC-SHA256 by the `standardwebhooks` library). A 2xx within the
 * timeout is delivered; anything else (other statuses, redirects, timeouts, refused addresses)
 * is a failure worth a retry. Redirects are not followed: they could lead anywhere.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly guard: WebhookUrlGuard,
    private readonly timeoutMs: number,
  ) {}

  post(call: WebhookCall): Promise<SendAttempt> {
    const signature = new Webhook(call.secret).sign(call.messageId, call.timestamp, call.body);
    const url = new URL(call.url);
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<SendAttempt>((resolve) => {
      const request = transport.request(
        url,
        {
          method: "POST",
          lookup: this.guard.lookup,
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: {
            "content-type": "application/json",
            "user-agent": "product-ordering-notifier",
            "webhook-id": call.messageId,
            "webhook-timestamp": String(Math.floor(call.timestamp.getTime() / 1000)),
            "webhook-signature": signature,
          },
        },
        (response) => {
          // The body is not read: drain it so the socket is freed.
          response.resume();
          const status = response.statusCode ?? 0;
          resolve(
            status >= 200 && status < 300
              ? { ok: true }
              : { ok: false, permanent: false, error: `HTTP ${status}` },
          );
        },
      );
      request.on("error", (error) =>
        resolve({ ok: false, permanent: false, error: error.message }),
      );
      request.end(call.body);
    });
  }
}
