import winston from "winston";
import { currentRequestId } from "../context";
import { currentTraceIds } from "../tracing";

export type Logger = {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
};

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|private[-_]?key/i;
const REDACTED = "[REDACTED]";

/** Deep copy with every secret-looking field replaced; cycles and depth are bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (seen.has(value) || depth > 8) return "[Truncated]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}

// trace_id and span_id are the names OpenTelemetry gives them in JSON logs, which log tools
// use to link a line to its trace.
const addContext = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && info.requestId === undefined) info.requestId = requestId;
  const ids = currentTraceIds();
  if (ids && info.trace_id === undefined) {
    info.trace_id = ids.traceId;
    info.span_id = ids.spanId;
  }
  return info;
});

const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === "level" || key === "message") continue;
    info[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

// `msg` rather than winston's `message`: the field name the whole platform searches on.
const renameMessage = winston.format((info) => {
  info.msg = info.message;
  delete (info as { message?: unknown }).message;
  return info;
});

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

/**
 * One JSON object per line: timestamp, level, service, requestId, trace_id and span_id (inside a
 * trace), msg and the given fields.
 */
export function createLogger(options: LoggerOptions): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  const base = winston.createLogger({
    level: options.level ?? "info",
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format.timestamp(),
      addContext(),
      redactSecrets(),
      renameMessage(),
      winston.format.json(),
    ),
    transports: [transport],
  });
  return wrap(base);
}

function wrap(w: winston.Logger): Logger {
  return {
    // winston runs every format before its transports drop a line below the level; skip early.
    error: (msg, fields) => void (w.isLevelEnabled("error") && w.error(msg, fields ?? {})),
    warn: (msg, fields) => void (w.isLevelEnabled("warn") && w.warn(msg, fields ?? {})),
    info: (msg, fields) => void (w.isLevelEnabled("info") && w.info(msg, fields ?? {})),
    debug: (msg, fields) => void (w.isLevelEnabled("debug") && w.debug(msg, fields ?? {})),
    child: (fields) => wrap(w.child(fields)),
  };
}
