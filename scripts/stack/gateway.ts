// The local API gateway: routes exactly the paths of gateway/routes.json (the same table the
// compose nginx and the Helm Ingress use) and nothing else — /internal/* never gets through.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createProxyMiddleware } from "http-proxy-middleware";
import { requestIdFrom } from "@app/shared";
import routeTable from "../../gateway/routes.json";

export interface GatewayRoute {
  path: string;
  match: "prefix" | "exact";
  service: string;
}

export const routes = routeTable.routes as GatewayRoute[];

export function routeFor(pathname: string): GatewayRoute | undefined {
  if (pathname.startsWith("/internal")) return undefined;
  return routes.find((r) =>
    r.match === "exact"
      ? pathname === r.path
      : pathname === r.path ||
        pathname.startsWith(`${r.path}/`) ||
        pathname.startsWith(`${r.path}?`),
  );
}

function notFound(res: http.ServerResponse, pathname: string, requestId: string) {
  res.writeHead(404, { "content-type": "application/problem+json", "x-request-id": requestId });
  res.end(
    JSON.stringify({
      type: "https://errors.product-ordering.dev/not-found",
      title: "Not found",
      status: 404,
      detail: `No route for ${pathname}.`,
      code: "NOT_FOUND",
      requestId,
    }),
  );
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the gateway; `upstreams` maps a service name to its base URL. */
export async function startGateway(
  port: number,
  upstreams: Record<string, string>,
): Promise<RunningGateway> {
  // Without an agent the proxy sends `connection: close` upstream, so every request pays a new
  // TCP connection and the close reaches the client too; keep upstream connections alive.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const proxies = new Map(
    Object.entries(upstreams).map(([service, target]) => [
      service,
      createProxyMiddleware({
        target,
        agent,
        changeOrigin: false,
        xfwd: true,
        proxyTimeout: 30_000,
        on: {
          error: (_error, req, res) => {
            const out = res as http.ServerResponse;
            if (out.headersSent || typeof out.writeHead !== "function") return void out.end?.();
            const requestId = String((req as http.IncomingMessage).headers["x-request-id"] ?? "");
            out.writeHead(502, {
              "content-type": "application/problem+json",
              "x-request-id": requestId,
            });
            out.end(
              JSON.stringify({
                type: "https://errors.product-ordering.dev/bad-gateway",
                title: "Bad gateway",
                status: 502,
                detail: `The ${service} service did not answer.`,
                code: "BAD_GATEWAY",
                requestId,
              }),
            );
          },
        },
      }),
    ]),
  );
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://gateway").pathname;
    // Same rule as the services: a sane client id is kept, anything else replaced.
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    if (pathname === "/health/live") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ status: "ok" }));
    }
    const route = routeFor(pathname);
    const proxy = route && proxies.get(route.service);
    if (!proxy) return notFound(res, pathname, requestId);
    req.headers["x-request-id"] = requestId;
    void proxy(req as never, res as never, () => notFound(res, pathname, requestId));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
