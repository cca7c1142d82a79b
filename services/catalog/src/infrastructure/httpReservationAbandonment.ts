import { callJson, type Logger } from "@app/shared";
import type { ReservationAbandonment } from "../application/ports";
import type { OrderState } from "../domain/reservation";

const KNOWN_STATES = new Set<OrderState>(["ORDER_EXISTS", "NO_ORDER", "PENDING"]);

/**
 * Asks the order service to abandon a reservation unless an order holds it; any failure is
 * UNKNOWN (the sweeper waits).
 */
export class HttpReservationAbandonment implements ReservationAbandonment {
  constructor(
    private readonly settings: { baseUrl: string; token: string; timeoutMs: number },
    private readonly logger: Logger,
  ) {}

  async abandonUnlessOrdered(reservationId: string): Promise<OrderState> {
    const url = `${this.settings.baseUrl.replace(/\/$/, "")}/internal/v1/reservations/${encodeURIComponent(reservationId)}/abandon`;
    try {
      const response = await callJson<{ state?: unknown }>(url, {
        method: "POST",
        headers: { authorization: `Bearer ${this.settings.token}` },
        timeoutMs: this.settings.timeoutMs,
      });
      const state = response.body?.state;
      if (
        response.status === 200 &&
        typeof state === "string" &&
        KNOWN_STATES.has(state as OrderState)
      )
        return state as OrderState;
      this.logger.warn("order service gave no usable reservation state", {
        reservationId,
        status: response.status,
      });
    } catch (error) {
      this.logger.warn("order service unreachable", {
        reservationId,
        error: (error as Error).message,
      });
    }
    return "UNKNOWN";
  }
}
