import type { PaymentGateway, PaymentOutcome } from "../application/ports";

/** Stand-in for a payment provider: approves, and declines every total above a set amount. */
export class PlaceholderPaymentGateway implements PaymentGateway {
  constructor(private readonly declineAbove: number) {}

  async authorize(request: {
    reference: string;
    amount: number;
    currency: string;
  }): Promise<PaymentOutcome> {
    if (request.amount > this.declineAbove)
      return { kind: "declined", reason: "amount above the approval limit" };
    return { kind: "approved" };
  }
}
