import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { waitFor } from "@app/shared/testing";
import { REPO } from "../../../scripts/stack/stack";
import { dashboardProblems, exposedSeriesNames } from "./dashboardMetrics";
import { client, STACK_START_TIMEOUT_MS, startE2eStack, type E2eStack } from "./harness";
import {
  OtlpSpanKind,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from "./otlpReceiver";
import { createPool } from "./support";

const DASHBOARD = path.join(REPO, "helm/product-ordering/files/grafana-dashboard.json");

// The whole system as npm start runs it, every service exporting its spans over OTLP (the
// standard OTEL_* variables) to a receiver in this test, as they would to a collector.
describe("observability of the running system", () => {
  let receiver: OtlpReceiver;
  let e2e: E2eStack;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    e2e = await startE2eStack({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // Export within a tenth of a second instead of the SDK's 5 s, so the test waits less.
      OTEL_BSP_SCHEDULE_DELAY: "100",
      // Log lines carry trace and request ids; info is where "http request" lines are.
      LOG_LEVEL: "info",
    });
    call = client(e2e.gateway);
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await e2e?.stop();
    await receiver?.close();
  });

  describe("tracing", () => {
    async function aCustomer(): Promise<string> {
      const email = `tracer-${randomUUID().slice(0, 8)}@example.com`;
      const password = "correct-horse-battery";
      const reg = await call("POST", "/api/v1/auth/register", { body: { email, password } });
      expect(reg.status).toBe(201);
      const login = await call("POST", "/api/v1/auth/login", { body: { email, password } });
      expect(login.status).toBe(200);
      return login.body.accessToken as string;
    }

    async function aProduct(): Promise<string> {
      const res = await call("POST", "/api/v1/products", {
        token: await e2e.stack.adminToken(),
        body: {
          sku: `TRACE-${randomUUID().slice(0, 8)}`,
          name: "Traced product",
          price: 1200,
          currency: "EUR",
          initialQuantity: 5,
        },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    it("shows one order placed through the gateway as one trace: gateway → order → catalog → commit → relay → notifier", async () => {
      const token = await aCustomer();
      const productId = await aProduct();
      // The caller's own span: the trace starts before the gateway, as behind a traced client.
      const traceId = randomBytes(16).toString("hex");
      const callerSpanId = randomBytes(8).toString("hex");
      const requestId = `trace-e2e-${randomUUID()}`;

      const placed = await call("POST", "/api/v1/orders", {
        token,
        headers: {
          "Idempotency-Key": randomUUID(),
          traceparent: `00-${traceId}-${callerSpanId}-01`,
          "X-Request-Id": requestId,
        },
        body: { items: [{ productId, quantity: 2 }] },
      });
      expect(placed.status).toBe(201);
      expect(placed.headers.get("x-request-id")).toBe(requestId);
      const orderId = placed.body.id as string;

      // Complete once the consumers handled the event and every span's parent has arrived:
      // spans are exported as they end, and a parent ends after its children.
      const ofTrace = () => receiver.spans().filter((s) => s.traceId === traceId);
      const spans = await waitFor(
        () => {
          const all = ofTrace();
          const ids = new Set(all.map((s) => s.spanId));
          const handled = ["notifyOrderEvent", "handleOrderEvent"].every((name) =>
            all.some((s) => s.name === name),
          );
          const closed = all.every(
            (s) => s.parentSpanId === callerSpanId || ids.has(s.parentSpanId!),
          );
          return handled && closed ? all : undefined;
        },
        { what: `the whole trace ${traceId}`, timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(receiver.refused()).toEqual([]);

      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const one = (service: string, name: string, kind?: number): ReceivedSpan => {
        const found = spans.filter(
          (s) =>
            s.service === service && s.name === name && (kind === undefined || s.kind === kind),
        );
        expect(found.map((s) => `${s.service}: ${s.name}`)).toEqual([`${service}: ${name}`]);
        return found[0]!;
      };
      /** The services on the way from the root down to `span`, each once per stretch. */
      const pathTo = (span: ReceivedSpan): string[] => {
        const services: string[] = [];
        for (let s: ReceivedSpan | undefined = span; s; s = byId.get(s.parentSpanId ?? "")) {
          if (services[0] !== s.service) services.unshift(s.service);
        }
        return services;
      };
      const descends = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
        for (let s = byId.get(span.parentSpanId ?? ""); s; s = byId.get(s.parentSpanId ?? ""))
          if (s.spanId === ancestor.spanId) return true;
        return false;
      };

      // Gateway → order: nginx passed the caller's traceparent on; the order's request span is
      // the only span whose parent is not in the trace, and that parent is the caller's.
      const placement = one("order", "POST /api/v1/orders", OtlpSpanKind.SERVER);
      expect(placement.parentSpanId).toBe(callerSpanId);
      expect(spans.filter((s) => !byId.has(s.parentSpanId ?? ""))).toEqual([placement]);
      expect(placement.attributes["http.response.status_code"]).toBe(201);

      // Order → catalog: the reservation call's client span is the parent of the catalog's.
      const reserve = one("catalog", "POST /internal/v1/reservations", OtlpSpanKind.SERVER);
      const reserveCall = byId.get(reserve.parentSpanId!)!;
      expect([reserveCall.service, reserveCall.kind]).toEqual(["order", OtlpSpanKind.CLIENT]);
      expect(descends(reserveCall, placement)).toBe(true);
      expect(pathTo(one("catalog", "reserveStock"))).toEqual(["order", "catalog"]);

      // Commit: the placement's transaction commits inside the request's trace.
      const commits = spans.filter((s) => s.service === "order" && s.name === "COMMIT");
      expect(commits.length).toBeGreaterThan(0);
      for (const commit of commits) expect(descends(commit, placement)).toBe(true);

      // Order → relay: the outbox row keeps the context the event was written in, and the
      // relay's send continues it, however much later it runs.
      const orders = createPool(e2e.databaseUrl("orders"), { connectionLimit: 1 });
      let stored: string;
      try {
        const [row] = await orders.query<{ traceparent: string }[]>(
          "SELECT traceparent FROM outbox_events WHERE aggregate_id = ? AND event_type = 'ORDER_CREATED'",
          [orderId],
        );
        stored = row!.traceparent;
      } finally {
        await orders.end();
      }
      const writer = byId.get(stored.split("-")[2]!)!;
      expect(stored).toBe(`00-${traceId}-${writer.spanId}-01`);
      expect(writer.service).toBe("order");
      expect(descends(writer, placement)).toBe(true);
      const send = one("outbox-relay", `send ${e2e.topic}`, OtlpSpanKind.PRODUCER);
      expect(send.parentSpanId).toBe(writer.spanId);

      // Relay → notifier (and the catalog, the other consumer): each processes the message in
      // a consumer span whose parent is the send, and runs its use case inside it.
      for (const [service, useCase] of [
        ["notifier", "notifyOrderEvent"],
        ["catalog", "handleOrderEvent"],
      ] as const) {
        const consumed = one(service, `process ${e2e.topic}`, OtlpSpanKind.CONSUMER);
        expect(consumed.parentSpanId).toBe(send.spanId);
        expect(one(service, useCase).parentSpanId).toBe(consumed.spanId);
      }
      expect(pathTo(one("notifier", "notifyOrderEvent"))).toEqual([
        "order",
        "outbox-relay",
        "notifier",
      ]);

      // The ids meet in the logs: the gateway's access line and the order service's lines carry
      // the caller's request id, and the service's lines the trace beside it.
      const lines = (prefix: string) =>
        e2e.logs
          .filter((line) => line.startsWith(`[${prefix}] {`))
          .map((line) => JSON.parse(line.slice(prefix.length + 3)) as Record<string, unknown>);
      expect(lines("gateway")).toContainEqual(
        expect.objectContaining({ requestId, path: "/api/v1/orders", status: 201 }),
      );
      expect(lines("order")).toContainEqual(
        expect.objectContaining({
          msg: "http request",
          requestId,
          trace_id: traceId,
          span_id: placement.spanId,
        }),
      );
    });
  });

  describe("the Grafana dashboard", () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, "utf8")) as Parameters<
      typeof dashboardProblems
    >[0];
    let exported: Set<string>;

    /** What the archiver pushes at the end of a run (it is a job: nothing to scrape). */
    async function archiverPush(): Promise<string> {
      let body = "";
      const gateway = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          body += Buffer.concat(chunks).toString("utf8");
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = gateway.address() as AddressInfo;
        const run = await e2e.runArchiver([], { PUSHGATEWAY_URL: `http://127.0.0.1:${port}` });
        expect(run.code).toBe(0);
        return body;
      } finally {
        gateway.close();
      }
    }

    beforeAll(async () => {
      const scrapes = await Promise.all(
        Object.values(e2e.stack.services).map(async ({ url }) => {
          const res = await fetch(`${url}/metrics`);
          expect(res.status).toBe(200);
          return res.text();
        }),
      );
      exported = new Set([...scrapes, await archiverPush()].flatMap(exposedSeriesNames));
    }, 120_000);

    it("names in every query only metrics the services and the archiver export", () => {
      // The scrape and the push were read: the set holds each service's own families.
      for (const family of [
        "order_placements_total",
        "catalog_reservations_total",
        "outbox_published_total",
        "notifier_events_total",
        "archiver_last_run_timestamp_seconds",
      ])
        expect(exported).toContain(family);
      expect(dashboardProblems(dashboard, exported)).toEqual([]);
    });

    it("reports a query whose metric no service exports, naming the panel and the metric", () => {
      const misspelt = JSON.parse(
        JSON.stringify(dashboard).replace(
          "rate(outbox_published_total",
          "rate(outbox_publised_total",
        ),
      ) as typeof dashboard;
      expect(dashboardProblems(misspelt, exported)).toEqual([
        "Outbox throughput: outbox_publised_total is not exported by any service",
      ]);
    });

    it("reports a query PromQL cannot parse, and a selector that names no metric", () => {
      const broken = {
        panels: [
          { title: "Unbalanced", targets: [{ expr: "sum(rate(order_placements_total[5m])" }] },
          { title: "Nameless", targets: [{ expr: 'sum(rate({outcome="placed"}[5m]))' }] },
        ],
      };
      expect(dashboardProblems(broken, exported)).toEqual([
        expect.stringMatching(/^Unbalanced: syntax error/),
        'Nameless: a selector without a metric name: {outcome="placed"}',
      ]);
    });
  });
});
