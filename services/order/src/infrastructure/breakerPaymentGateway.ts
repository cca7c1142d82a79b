import type { Logger } from "@app/shared";
import type CircuitBreaker from "opossum";
import type { PaymentGateway, PaymentOutcome } from "../application/ports";
import {
  createBreaker,
  isBreakerOpen,
  retryAfterSeconds,
  type BreakerSettings,
} from "./circuitBreaker";

type AuthorizeRequest = Parameters<PaymentGateway["authorize"]>[0];

/** Any gateway behind a breaker. An authorization is not idempotent, so it is never retried. */
export class BreakerPaymentGateway implements PaymentGateway {
  readonly breaker: CircuitBreaker<[AuthorizeRequest], PaymentOutcome>;

  constructor(
    gateway: PaymentGateway,
    private readonly settings: BreakerSettings,
    private readonly logger: Logger,
  ) {
    this.breaker = createBreaker(
      "payment",
      (request: AuthorizeRequest) => gateway.authorize(request),
      settings,
      logger,
    );
  }

  async authorize(request: AuthorizeRequest): Promise<PaymentOutcome> {
    try {
      return await this.breaker.fire(request);
    } catch (error) {
      if (!isBreakerOpen(error))
        this.logger.warn("payment call failed", {
          reference: request.reference,
          error: (error as Error).message,
        });
      return { kind: "unavailable", retryAfterSeconds: retryAfterSeconds(this.settings) };
    }
  }
}
