// An OTLP/HTTP traces endpoint for the suite: the services run as separate processes, so their
// spans reach the test only the way they reach a collector, over OTLP. It takes what the
// services' exporter sends (@opentelemetry/exporter-trace-otlp-http: JSON, ids as hex) and
// refuses any other encoding loudly rather than guessing at it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";

/** OTLP's span kinds (the protocol's numbers, one more than the API's SpanKind). */
export const OtlpSpanKind = {
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT should say (the exporter adds /v1/traces). */
  endpoint: string;
  spans(): ReceivedSpan[];
  /** Requests it could not take, each as "status: reason" (a test expects none). */
  refused(): string[];
  close(): Promise<void>;
}

// The parts of ExportTraceServiceRequest (opentelemetry-proto, JSON mapping) read here.
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface ExportTraceServiceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}

function attributeMap(list: KeyValue[] = []): Record<string, string | number | boolean> {
  const entries = list.map(({ key, value = {} }) => {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.intValue;
    return [key, typeof v === "string" && "intValue" in value ? Number(v) : (v ?? "")] as const;
  });
  return Object.fromEntries(entries);
}

export function spansOf(request: ExportTraceServiceRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributeMap(resourceSpans.resource?.attributes)["service.name"] ?? "");
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind,
        attributes: attributeMap(span.attributes),
      })),
    );
  });
}

async function bodyOf(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? promisify(zlib.gunzip)(raw) : raw;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const refused: string[] = [];
  const refuse = (res: http.ServerResponse, status: number, reason: string) => {
    refused.push(`${status}: ${reason}`);
    res.writeHead(status, { "content-type": "text/plain" }).end(reason);
  };
  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/traces")
      return refuse(res, 404, `${req.method} ${req.url}`);
    const type = req.headers["content-type"] ?? "";
    if (!type.startsWith("application/json"))
      return refuse(res, 415, `content-type ${type}: only OTLP JSON is read here`);
    bodyOf(req)
      .then((body) => spansOf(JSON.parse(body.toString("utf8")) as ExportTraceServiceRequest))
      .then(
        (spans) => {
          received.push(...spans);
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        },
        (error: Error) => refuse(res, 400, error.message),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    refused: () => [...refused],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
