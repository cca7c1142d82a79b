// Order commit to notification row, through the whole stack at a steady moderate rate: orders
// placed through the gateway, notifications read back through the gateway; lag = the
// notification's createdAt minus the order's createdAt (stamped just before its transaction).
import { randomUUID } from "node:crypto";
import { call, expectStatus } from "./client";
import { percentile, round } from "./stats";

interface Notification {
  orderId: string;
  type: string;
  createdAt: string;
}

export async function commitToNotificationLag(
  gateway: string,
  token: string,
  productIds: string[],
  perSecond: number,
  seconds: number,
) {
  const placed = new Map<string, number>();
  const latencies: number[] = [];
  const total = perSecond * seconds;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // Open-loop arrivals: request i leaves at i / rate whatever the earlier ones are doing.
    const due = started + (i * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const sent = performance.now();
    inFlight.push(
      expectStatus(
        call<{ id: string; createdAt: string }>(gateway, "POST", "/api/v1/orders", {
          token,
          headers: { "idempotency-key": randomUUID() },
          body: { items: [{ productId: productIds[i % productIds.length], quantity: 1 }] },
        }),
        201,
        "place order",
      ).then((order) => {
        latencies.push(performance.now() - sent);
        placed.set(order.id, Date.parse(order.createdAt));
      }),
    );
  }
  await Promise.all(inFlight);
  const seen = new Map<string, number>();
  const deadline = Date.now() + 60_000;
  while (seen.size < placed.size && Date.now() < deadline) {
    let cursor: string | null = null;
    do {
      const page: { items: Notification[]; nextCursor: string | null } = await expectStatus(
        call(
          gateway,
          "GET",
          `/api/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
          { token },
        ),
        200,
        "list notifications",
      );
      for (const n of page.items)
        if (n.type === "ORDER_CREATED" && placed.has(n.orderId))
          seen.set(n.orderId, Date.parse(n.createdAt));
      cursor = page.nextCursor;
    } while (cursor);
    if (seen.size < placed.size) await new Promise((r) => setTimeout(r, 500));
  }
  if (seen.size < placed.size)
    throw new Error(`only ${seen.size} of ${placed.size} notifications arrived within 60 s`);
  const lags = [...seen].map(([orderId, at]) => at - placed.get(orderId)!).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  return {
    orders: placed.size,
    perSecond,
    /** The placements' own latency at this rate, as the client saw it. */
    placementP50: round(percentile(latencies, 50), 1),
    placementP99: round(percentile(latencies, 99), 1),
    p50: round(percentile(lags, 50), 0),
    p99: round(percentile(lags, 99), 0),
    max: lags[lags.length - 1]!,
  };
}
