import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort, waitFor } from "@app/shared/testing";
import { startGateway, type RunningGateway } from "../../../scripts/stack/gateway";
import { routes } from "../../../scripts/gateway/nginxConf";
import { rawHttp } from "./support";

// What the gateway itself adds, checked on the real nginx with the config npm start renders:
// behind it, a recording upstream per service instead of the services, so the test sees exactly
// the request nginx forwards. (system.test.ts drives the same gateway in front of the real stack.)
interface Seen {
  upstream: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
}

async function recordingUpstream(name: string, seen: Seen[]) {
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on("data", (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on("end", () => {
      seen.push({
        upstream: name,
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        bodyBytes,
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ upstream: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("the nginx gateway", () => {
  const seen: Seen[] = [];
  const upstreams: Awaited<ReturnType<typeof recordingUpstream>>[] = [];
  let gateway: RunningGateway;
  let deadPort: number;
  const logs: string[] = [];

  beforeAll(async () => {
    const services = [...new Set(routes.map((r) => r.service))];
    const servers: Record<string, string[]> = {};
    for (const service of services) {
      const up = await recordingUpstream(service, seen);
      upstreams.push(up);
      servers[service] = [up.address];
    }
    // A second replica of the order service, for round robin.
    const replica = await recordingUpstream("order-2", seen);
    upstreams.push(replica);
    servers.order!.push(replica.address);
    // The notifier upstream points at a port nothing listens on.
    deadPort = await freePort();
    servers.notifier = [`127.0.0.1:${deadPort}`];
    gateway = await startGateway({
      port: await freePort(),
      upstreams: servers,
      log: (line) => logs.push(line),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    for (const up of upstreams) await up.close();
  });

  const send = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);
  const lastSeen = () => seen[seen.length - 1]!;

  it("forwards each route of gateway/routes.json to its service, path and query untouched", async () => {
    for (const route of routes.filter((r) => r.service !== "notifier")) {
      const path = route.match === "exact" ? route.path : `${route.path}/x?a=1&b=2`;
      const res = await send(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(lastSeen().url).toBe(path);
      expect(lastSeen().upstream).toMatch(new RegExp(`^${route.service}`));
    }
  });

  it("answers 404 problem+json for /internal/*, unknown paths and look-alike prefixes, without forwarding", async () => {
    const before = seen.length;
    for (const path of ["/internal/v1/reservations", "/internal", "/nope", "/api/v1/ordersx"]) {
      const res = await send(path, { headers: { "x-request-id": "probe-404" } });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("x-request-id")).toBe("probe-404");
      expect(await res.json()).toMatchObject({
        status: 404,
        code: "NOT_FOUND",
        requestId: "probe-404",
      });
    }
    expect(seen.length).toBe(before);
  });

  it("overwrites a client's X-Forwarded-For with the address it connected from and sets X-Real-IP", async () => {
    await send("/api/v1/products", {
      headers: { "x-forwarded-for": "203.0.113.7, 198.51.100.1", "x-real-ip": "203.0.113.7" },
    });
    expect(lastSeen().headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(lastSeen().headers["x-real-ip"]).toBe("127.0.0.1");
  });

  it("passes a sane X-Request-Id through and replaces a missing or unsafe one with a fresh id", async () => {
    await send("/api/v1/products", { headers: { "x-request-id": "trace-abc.123:4" } });
    expect(lastSeen().headers["x-request-id"]).toBe("trace-abc.123:4");

    await send("/api/v1/products");
    const generated = lastSeen().headers["x-request-id"] as string;
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    await send("/api/v1/products");
    expect(lastSeen().headers["x-request-id"]).not.toBe(generated);

    await send("/api/v1/products", { headers: { "x-request-id": 'has space"quote' } });
    expect(lastSeen().headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    await send("/api/v1/products", { headers: { "x-request-id": "x".repeat(129) } });
    expect(lastSeen().headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("refuses a body over 1 MiB with 413 problem+json before it reaches the service", async () => {
    const before = seen.length;
    const res = await send("/api/v1/orders", {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "big-body" },
      body: JSON.stringify({ pad: "x".repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      requestId: "big-body",
    });
    expect(seen.length).toBe(before);

    const fits = await send("/api/v1/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(1000 * 1000) }),
    });
    expect(fits.status).toBe(200);
    expect(lastSeen().bodyBytes).toBeGreaterThan(1000 * 1000);
  });

  it("balances a service's replicas round robin", async () => {
    const hits: string[] = [];
    for (let i = 0; i < 4; i++) {
      await send("/api/v1/orders");
      hits.push(lastSeen().upstream);
    }
    expect(hits.filter((h) => h === "order")).toHaveLength(2);
    expect(hits.filter((h) => h === "order-2")).toHaveLength(2);
  });

  it("answers 503 problem+json with Retry-After when no replica of the service answers", async () => {
    const res = await send("/api/v1/notifications", { headers: { "x-request-id": "down-1" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("x-request-id")).toBe("down-1");
    expect(await res.json()).toMatchObject({
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      requestId: "down-1",
    });
  });

  // nginx refuses these itself, before any location; its default answer was an HTML page.
  const expectProblem = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(await res.json()).toMatchObject({ status, code });
  };

  it("refuses headers over its buffers with 431 problem+json, before the service", async () => {
    const before = seen.length;
    const res = await send("/api/v1/products", { headers: { "x-padding": "x".repeat(20_000) } });
    await expectProblem(res, 431, "HEADERS_TOO_LARGE");
    expect(seen.length).toBe(before);
  });

  it("refuses a request line over its buffers with 414 problem+json", async () => {
    const res = await send(`/api/v1/products?q=${"x".repeat(20_000)}`);
    await expectProblem(res, 414, "URI_TOO_LONG");
  });

  it("refuses TRACE with 405 problem+json", async () => {
    const res = await rawRequest("TRACE /api/v1/products HTTP/1.1\r\nHost: gw\r\n\r\n");
    expect(res.head).toMatch(/^HTTP\/1\.1 405 /);
    expect(res.head).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(JSON.parse(res.body)).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });
  });

  it("refuses a request it cannot read (two Host headers) with 400 problem+json", async () => {
    const before = seen.length;
    const res = await rawRequest(
      "GET /api/v1/products HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    );
    expect(res.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(res.head).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    // A request line it cannot parse has no URI at all.
    const garbage = await rawRequest("NOT A REQUEST\r\n\r\n");
    expect(garbage.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.body)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(seen.length).toBe(before);
  });

  it("answers its refusal pages' own paths from outside with the same 404 problem+json", async () => {
    await expectProblem(await send("/.gateway-refusals/400"), 404, "NOT_FOUND");
  });

  const rawRequest = (text: string) => rawHttp(gateway.url, text);

  it("logs each request as one JSON line with its request id", async () => {
    await send("/api/v1/products", { headers: { "x-request-id": "logged-1" } });
    const line = await waitFor(() => logs.find((l) => l.includes('"requestId":"logged-1"')), {
      what: "the access log line",
    });
    expect(JSON.parse(line)).toMatchObject({
      method: "GET",
      path: "/api/v1/products",
      status: 200,
    });
  });

  it("stops its nginx master and workers on close", async () => {
    const pid = gateway.process.pid!;
    await gateway.close();
    expect(gateway.process.exitCode ?? gateway.process.signalCode).not.toBeNull();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(send("/health/live")).rejects.toThrow();
  });
});

// A replica killed and restarting refuses connections: nginx passes those requests to the next
// replica, whatever the method (nothing was sent), so a restart costs a client no request; one
// the replica died with answers 503 with Retry-After (the chaos run saw 502s there).
describe("the nginx gateway with one of two replicas down", () => {
  const seen: Seen[] = [];
  let live: Awaited<ReturnType<typeof recordingUpstream>>;
  let gateway: RunningGateway;

  beforeAll(async () => {
    live = await recordingUpstream("order", seen);
    const servers: Record<string, string[]> = {};
    for (const service of new Set(routes.map((r) => r.service))) servers[service] = [live.address];
    // The dead replica first, so round robin sends it the very first request.
    servers.order = [`127.0.0.1:${await freePort()}`, live.address];
    gateway = await startGateway({ port: await freePort(), upstreams: servers });
  });

  afterAll(async () => {
    await gateway?.close();
    await live?.close();
  });

  it("passes every request, POSTs included, to the live replica when the other refuses the connection", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${gateway.url}/api/v1/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `k-${i}` },
        body: JSON.stringify({ n: i }),
      });
      statuses.push(res.status);
    }
    const res = await fetch(`${gateway.url}/api/v1/orders/x`);
    statuses.push(res.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST /api/v1/orders",
      "POST /api/v1/orders",
      "POST /api/v1/orders",
      "POST /api/v1/orders",
      "GET /api/v1/orders/x",
    ]);
  });
});

// `npm start` keeps the gateway's run directory in the repository's .local, which the auth
// service creates private (its signing keys live there). Started as root, nginx's workers run as
// nobody and cannot enter it: a body or an answer that nginx would spill to a temp file there
// failed with an HTML 500 (a login of 12 KB did). Both must pass whatever the directory.
describe("the nginx gateway in a run directory its workers cannot enter", () => {
  let gateway: RunningGateway;
  let upstream: http.Server;
  let privateDir: string;
  const received: number[] = [];
  const BIG_ANSWER = 600 * 1024;

  beforeAll(async () => {
    privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "gateway-private-"));
    fs.chmodSync(privateDir, 0o700);
    upstream = http.createServer((req, res) => {
      let bytes = 0;
      req.on("data", (chunk: Buffer) => (bytes += chunk.length));
      req.on("end", () => {
        received.push(bytes);
        const body = JSON.stringify({ pad: "y".repeat(req.url!.includes("big") ? BIG_ANSWER : 1) });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const servers: Record<string, string[]> = {};
    for (const service of new Set(routes.map((r) => r.service))) servers[service] = [address];
    gateway = await startGateway({
      port: await freePort(),
      upstreams: servers,
      runDir: path.join(privateDir, "gateway"),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
    fs.rmSync(privateDir, { recursive: true, force: true });
  });

  it("passes a body of 12 KB and one near the 1 MiB limit to the service", async () => {
    for (const size of [12 * 1024, 1000 * 1000]) {
      const res = await fetch(`${gateway.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pad: "x".repeat(size) }),
      });
      expect({ size, status: res.status }).toEqual({ size, status: 200 });
      expect(received[received.length - 1]).toBeGreaterThan(size);
    }
  });

  it("passes an answer larger than its buffers to the client whole", async () => {
    const res = await fetch(`${gateway.url}/api/v1/products/big`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { pad: string };
    expect(body.pad.length).toBe(BIG_ANSWER);
  });
});
