import http from "node:http";
import type { AddressInfo } from "node:net";

export type OrderState = "ORDER_EXISTS" | "NO_ORDER" | "PENDING";

/**
 * Stands in for the order service at the port boundary: answers the documented
 * `POST /internal/v1/reservations/{id}/abandon` with the state the test set (NO_ORDER otherwise).
 */
export async function startFakeOrderService(token: string) {
  const states = new Map<string, OrderState>();
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const match = /^\/internal\/v1\/reservations\/([^/]+)\/abandon$/.exec(req.url ?? "");
    res.setHeader("content-type", "application/json");
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ code: "UNAUTHENTICATED" }));
      return;
    }
    if (req.method !== "POST" || !match) {
      res.statusCode = 404;
      res.end(JSON.stringify({ code: "NOT_FOUND" }));
      return;
    }
    const reservationId = decodeURIComponent(match[1]!);
    asked.push(reservationId);
    const state = states.get(reservationId) ?? "NO_ORDER";
    res.end(
      JSON.stringify({
        reservationId,
        state,
        ...(state === "ORDER_EXISTS" ? { orderId: `order-of-${reservationId}` } : {}),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    setState: (reservationId: string, state: OrderState) => states.set(reservationId, state),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
