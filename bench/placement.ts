// Order placement through the gateway under load: unique Idempotency-Key per request, one line
// on a product picked at random from many (so stock rows do not all contend), several users.
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { round } from "./stats";

export interface LoadResult {
  concurrency: number;
  seconds: number;
  created: number;
  otherStatuses: Record<string, number>;
  errors: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
}

export async function loadPlacement(
  gateway: string,
  tokens: string[],
  productIds: string[],
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const result = await autocannon({
    url: gateway,
    connections: concurrency,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/api/v1/orders",
        setupRequest: (request) => ({
          ...request,
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${tokens[Math.floor(Math.random() * tokens.length)]}`,
            "idempotency-key": randomUUID(),
          },
          body: JSON.stringify({
            items: [
              { productId: productIds[Math.floor(Math.random() * productIds.length)], quantity: 1 },
            ],
          }),
        }),
      },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [
      code,
      Number((s as { count: number | string }).count),
    ]),
  );
  const created = statuses["201"] ?? 0;
  delete statuses["201"];
  return {
    concurrency,
    seconds: result.duration,
    created,
    otherStatuses: statuses,
    errors: result.errors,
    perSecond: round(created / result.duration),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
  };
}
