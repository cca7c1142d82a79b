import http from "node:http";
import type { AddressInfo } from "node:net";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import {
  callJson,
  createLogger,
  createPool,
  currentTraceIds,
  inSpan,
  KafkaClient,
  otlpTracesEndpoint,
  SpanKind,
  startTracing,
  type IncomingMessage,
} from "../src";
import { testServers, uniqueName, waitFor } from "../src/testing";
import { buildTestApp } from "./testApp";

// One process-wide provider for this file, exporting into memory.
const exporter = new InMemorySpanExporter();
const tracing = startTracing("test-svc", {}, { exporter });
afterAll(() => tracing.shutdown());

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

async function spans(): Promise<ReadableSpan[]> {
  await tracing.flush();
  return exporter.getFinishedSpans();
}
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

async function listen(app: http.RequestListener): Promise<{ url: string; close(): void }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

beforeEach(() => exporter.reset());

describe("tracing settings", () => {
  it("exports only when an OTLP endpoint is set and tracing is not turned off", () => {
    expect(otlpTracesEndpoint({})).toBeUndefined();
    expect(otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(
      "http://collector:4318",
    );
    expect(
      otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" }),
    ).toBe("http://c:4318/v1/traces");
    expect(
      otlpTracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_SDK_DISABLED: "true",
      }),
    ).toBeUndefined();
    expect(
      otlpTracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_TRACES_EXPORTER: "none",
      }),
    ).toBeUndefined();
  });
});

describe("trace context over HTTP", () => {
  it("continues the caller's traceparent, passes it on to the next service, and logs the ids", async () => {
    const downstream = buildTestApp((app) => {
      app.get("/leaf", (req, res) => {
        res.json({ traceparent: req.header("traceparent") ?? null });
      });
    });
    const leaf = await listen(downstream.app);
    const upstream = buildTestApp((app) => {
      app.get("/hop/:id", async (_req, res) => {
        upstream.logger.info("calling the leaf");
        const answer = await callJson<{ traceparent: string }>(`${leaf.url}/leaf`);
        res.json(answer.body);
      });
    });
    const hop = await listen(upstream.app);
    try {
      const response = await fetch(`${hop.url}/hop/42`, {
        headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
      });
      expect(response.status).toBe(200);
      const { traceparent } = (await response.json()) as { traceparent: string };

      const all = await waitFor(async () => ((await spans()).length >= 3 ? spans() : undefined), {
        what: "server, client and downstream server spans",
      });
      const server = all.find((s) => s.name === "GET /hop/:id")!;
      const client = all.find((s) => s.kind === SpanKind.CLIENT)!;
      const leafServer = all.find((s) => s.name === "GET /leaf")!;
      expect(all.map(traceOf)).toEqual(all.map(() => TRACE_ID));
      expect(server.kind).toBe(SpanKind.SERVER);
      expect(parentOf(server)).toBe(CALLER_SPAN);
      expect(server.attributes["http.response.status_code"]).toBe(200);
      expect(parentOf(client)).toBe(idOf(server));
      expect(parentOf(leafServer)).toBe(idOf(client));
      expect(traceparent).toBe(`00-${TRACE_ID}-${idOf(client)}-01`);

      const line = upstream.lines.find((l) => l.msg === "calling the leaf")!;
      expect(line).toMatchObject({ trace_id: TRACE_ID, span_id: idOf(server) });
      expect(line.requestId).toEqual(expect.any(String));
    } finally {
      hop.close();
      leaf.close();
    }
  });

  it("starts a new trace for a request that brings none, and leaves probes untraced", async () => {
    const { app } = buildTestApp((router) => {
      router.get("/plain", (_req, res) => {
        res.json({});
      });
    });
    const server = await listen(app);
    try {
      expect((await fetch(`${server.url}/plain`)).status).toBe(200);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      const all = await waitFor(async () => ((await spans()).length >= 1 ? spans() : undefined), {
        what: "the server span",
      });
      expect(all.map((s) => s.name)).toEqual(["GET /plain"]);
      expect(parentOf(all[0]!)).toBeUndefined();
      expect(traceOf(all[0]!)).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      server.close();
    }
  });
});

describe("trace context over SQL", () => {
  it("records each statement of traced work as a span with its text, and nothing outside traced work", async () => {
    const pool = createPool(testServers().databaseUrl, { noDatabase: true, connectionLimit: 1 });
    try {
      await pool.query("SELECT 1 AS untraced");
      await inSpan("work", {}, async () => {
        await pool.query("SELECT ? AS traced", [2]);
        const conn = await pool.getConnection();
        try {
          await conn.beginTransaction();
          await conn.query("SELECT 3 AS in_transaction");
          await conn.commit();
        } finally {
          await conn.release();
        }
      });
      const all = await spans();
      const work = all.find((s) => s.name === "work")!;
      const statements = all.filter((s) => s !== work);
      expect(statements.map((s) => [s.name, s.attributes["db.query.text"]])).toEqual([
        ["SELECT", "SELECT ? AS traced"],
        ["BEGIN", "BEGIN"],
        ["SELECT", "SELECT 3 AS in_transaction"],
        ["COMMIT", "COMMIT"],
      ]);
      for (const s of statements) {
        expect(s.kind).toBe(SpanKind.CLIENT);
        expect(parentOf(s)).toBe(idOf(work));
      }
    } finally {
      await pool.end();
    }
  });
});

describe("trace context over Kafka", () => {
  const brokers = testServers().kafkaBrokers;
  const logger = createLogger({ service: "test", silent: true });
  const kafka = new KafkaClient({ brokers, clientId: uniqueName("trace"), logger });
  const topic = uniqueName("trace_topic");
  afterAll(() => kafka.deleteTopics([topic]).catch(() => undefined));

  it("carries the producing span, or a stored traceparent, to the consumer's span", async () => {
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    const producer = await kafka.producer();
    const consumer = kafka.consumer(uniqueName("trace_group"));
    const seen: { message: IncomingMessage; traceId?: string; spanId?: string }[] = [];
    try {
      await consumer.run([topic], async (message) => {
        seen.push({ message, ...currentTraceIds() });
      });
      await inSpan("publish", {}, () => producer.send(topic, [{ key: "a", value: "live" }]));
      await producer.send(topic, [
        { key: "b", value: "stored", traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
      ]);
      await waitFor(() => seen.length === 2, { what: "both messages consumed", timeoutMs: 30_000 });

      const all = await waitFor(async () => ((await spans()).length >= 5 ? spans() : undefined), {
        what: "publish, two producer and two consumer spans",
      });
      const publish = all.find((s) => s.name === "publish")!;
      const sends = all.filter((s) => s.kind === SpanKind.PRODUCER);
      const processes = all.filter((s) => s.kind === SpanKind.CONSUMER);
      expect(sends.map((s) => s.name)).toEqual([`send ${topic}`, `send ${topic}`]);
      const [live, stored] = sends as [ReadableSpan, ReadableSpan];
      expect(parentOf(live)).toBe(idOf(publish));
      expect(traceOf(live)).toBe(traceOf(publish));
      expect(parentOf(stored)).toBe(CALLER_SPAN);
      expect(traceOf(stored)).toBe(TRACE_ID);
      for (const [i, send] of [live, stored].entries()) {
        const process = processes.find((p) => parentOf(p) === idOf(send))!;
        expect(process.name).toBe(`process ${topic}`);
        expect(traceOf(process)).toBe(traceOf(send));
        expect(seen[i]).toMatchObject({ traceId: traceOf(send), spanId: idOf(process) });
        expect(seen[i]!.message.headers.traceparent).toBe(`00-${traceOf(send)}-${idOf(send)}-01`);
      }
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
  });
});
