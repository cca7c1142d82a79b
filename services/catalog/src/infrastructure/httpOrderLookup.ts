import { callJson, type Logger } from "@app/shared";
import type { OrderLookup } from "../application/ports";
import type { OrderState } from "../domain/reservation";

const KNOWN_STATES = new Set<OrderState>(["ORDER_EXISTS", "NO_ORDER", "PENDING"]);

/** Asks the order service whether an order holds a reservation; any failure is UNKNOWN (the sweeper waits). */
export class HttpOrderLookup implements OrderLookup {
  constructor(
    private readonly settings: { baseUrl: string; token: string; timeoutMs: number },
    private readonly logger: Logger,
  ) {}

  async stateOf(reservationId: string): Promise<OrderState> {
    const url = `${this.settings.baseUrl.replace(/\/$/, "")}/internal/v1/reservations/${encodeURIComponent(reservationId)}/order`;
    try {
      const response = await callJson<{ state?: unknown }>(url, {
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
