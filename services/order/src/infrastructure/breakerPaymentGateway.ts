import type { Logger } from "@app/shared";
import type CircuitBreaker from "opossum";
import type { PaymentGateway, PaymentOutcome, VoidOutcome } from "../application/ports";
import {
  createBreaker,
  isBreakerOpen,
  retryAfterSeconds,
  type BreakerSettings,
} from "./circuitBreaker";

type AuthorizeRequest = Parameters<PaymentGateway["authorize"]>[0];

/**
 * Any gateway behind a breaker. An authorization is never retried here: the client's retry of its
 * Idempotency-Key carries the same reference, which the provider deduplicates.
 */
export class BreakerPaymentGateway implements PaymentGateway {
  readonly breaker: CircuitBreaker<[AuthorizeRequest], PaymentOutcome>;

  constructor(
    private readonly gateway: PaymentGateway,
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

  /** Not behind the breaker: a void is owed even while authorizations are refused. */
  async void(reference: string): Promise<VoidOutcome> {
    try {
      return await this.gateway.void(reference);
    } catch (error) {
      this.logger.warn("payment void failed", { reference, error: (error as Error).message });
      return { kind: "unavailable" };
    }
  }
}
