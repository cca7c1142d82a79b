import type { PaymentGateway, PaymentOutcome, VoidOutcome } from "../application/ports";

export interface Authorization {
  reference: string;
  amount: number;
  currency: string;
  status: "AUTHORIZED" | "VOIDED";
}

/** Keeps the newest authorizations only, so the local stand-in never grows without bound. */
const MAX_KEPT = 100_000;

/**
 * The local stand-in for a payment provider, behaving as one does: approves up to a set amount,
 * answers a repeated reference with the live authorization instead of authorizing twice, and
 * voids. It records every authorization, so the stack's tests can see what a provider would hold.
 */
export class InMemoryPaymentGateway implements PaymentGateway {
  private readonly byReference = new Map<string, Authorization>();
  private created = 0;

  constructor(private readonly declineAbove: number) {}

  async authorize(request: {
    reference: string;
    amount: number;
    currency: string;
  }): Promise<PaymentOutcome> {
    if (request.amount > this.declineAbove)
      return { kind: "declined", reason: "amount above the approval limit" };
    const live = this.byReference.get(request.reference);
    if (live?.status === "AUTHORIZED") return { kind: "approved" };
    this.byReference.delete(request.reference);
    if (this.byReference.size >= MAX_KEPT)
      this.byReference.delete(this.byReference.keys().next().value!);
    this.byReference.set(request.reference, { ...request, status: "AUTHORIZED" });
    this.created += 1;
    return { kind: "approved" };
  }

  async void(reference: string): Promise<VoidOutcome> {
    const authorization = this.byReference.get(reference);
    if (authorization) authorization.status = "VOIDED";
    return { kind: "voided" };
  }

  /** The authorization under a reference, as the provider would report it. */
  authorization(reference: string): Authorization | undefined {
    const found = this.byReference.get(reference);
    return found && { ...found };
  }

  /** How many distinct authorizations were created (a deduplicated retry creates none). */
  authorizationsCreated(): number {
    return this.created;
  }
}
