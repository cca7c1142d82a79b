import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";

export { SpanKind } from "@opentelemetry/api";

export const TRACEPARENT_HEADER = "traceparent";

export interface Tracing {
  /** True when spans are recorded and exported. */
  enabled: boolean;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

/** The OTLP traces endpoint the standard variables name, unless they turn tracing off. */
export function otlpTracesEndpoint(env: Record<string, string | undefined>): string | undefined {
  if (env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return undefined;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
}

/**
 * Sets up OpenTelemetry for one process. W3C trace context is always propagated, so a trace
 * that came in with a request or message goes on to the next service even from a process that
 * records nothing. Spans are recorded and exported (OTLP over HTTP, configured by the standard
 * OTEL_* variables the SDK reads itself) only when an endpoint is set or a test passes an
 * exporter; otherwise the API's no-op tracer makes every span free.
 */
export function startTracing(
  service: string,
  env: Record<string, string | undefined>,
  options: { exporter?: SpanExporter } = {},
): Tracing {
  const exporter =
    options.exporter ?? (otlpTracesEndpoint(env) ? new OTLPTraceExporter() : undefined);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const propagator = new W3CTraceContextPropagator();
  if (!exporter) {
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(propagator);
    return { enabled: false, flush: async () => undefined, shutdown: async () => undefined };
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || service }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ contextManager, propagator });
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function tracer() {
  return trace.getTracer("@app/shared");
}

/**
 * Runs `fn` in a new span (a child of `parent`, the active context by default), marks it failed
 * when `fn` throws, and ends it.
 */
export async function inSpan<T>(
  name: string,
  options: {
    kind?: SpanKind;
    attributes?: Attributes;
    parent?: Context;
    /** Traces this span's work belongs to besides its parent's (the messages of a batch). */
    linkedTo?: Context[];
  },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const links = (options.linkedTo ?? [])
    .map((c) => trace.getSpanContext(c))
    .filter((c) => c !== undefined && trace.isSpanContextValid(c))
    .map((c) => ({ context: c! }));
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** A use case as a span of its own, named after it. */
export function traceUseCase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return inSpan(name, {}, () => fn());
}

/** Starts a span the caller ends (for work whose end is an event, such as a response). */
export function startSpan(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
): { span: Span; context: Context } {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function failSpan(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/** Runs `fn` with `ctx` as the active trace context. */
export function withTraceContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** The trace context carried by incoming headers (HTTP or Kafka), or none. */
export function traceContextFrom(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Headers that carry a trace context (the active one by default) to the next service. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The active context as a W3C traceparent, for storing beside work done later (the outbox). */
export function currentTraceparent(): string | undefined {
  return traceHeaders()[TRACEPARENT_HEADER];
}

/** Whether a span is active: statements and calls outside any traced work are not traced. */
export function insideSpan(): boolean {
  return trace.getSpan(context.active()) !== undefined;
}

/** Trace and span id of the active span, for log lines. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getSpanContext(context.active());
  if (!span || !trace.isSpanContextValid(span)) return undefined;
  return { traceId: span.traceId, spanId: span.spanId };
}
