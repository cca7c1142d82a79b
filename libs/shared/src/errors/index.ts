import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { z } from "zod";
import { currentRequestId } from "../context";
import type { Logger } from "../logging";
import { isRetryableLockError } from "../database/sqlErrors";
import { isConnectionLoss } from "./connectionLoss";

export { isConnectionLoss } from "./connectionLoss";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
const TYPE_BASE = "https://errors.product-ordering.dev/";

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemInit {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra members (e.g. the short lines of OUT_OF_STOCK); never a name of RESERVED_MEMBERS. */
  extensions?: ProblemExtensions;
  /** Response headers such as Retry-After. */
  headers?: Record<string, string>;
}

/**
 * Members every problem body has: RFC 9457's own (`status` must stay the HTTP status number a
 * client may rely on) and the platform's. An extension reusing one would overwrite it.
 */
export const RESERVED_MEMBERS = [
  "type",
  "title",
  "status",
  "detail",
  "instance",
  "code",
  "requestId",
  "errors",
] as const;
type ReservedMember = (typeof RESERVED_MEMBERS)[number];
export type ProblemExtensions = Record<string, unknown> & { [K in ReservedMember]?: never };

/** Refuses an extension named like a reserved member: a programming error, caught at build time too. */
function assertOwnExtensions(problem: ProblemInit): void {
  const clash = Object.keys(problem.extensions ?? {}).filter((name) =>
    (RESERVED_MEMBERS as readonly string[]).includes(name),
  );
  if (clash.length)
    throw new Error(`problem ${problem.code} reuses reserved member(s): ${clash.join(", ")}`);
}

/** An error that maps to an RFC 9457 problem document; thrown or returned by the api layer. */
export class ProblemError extends Error {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail ?? problem.title);
    this.name = "ProblemError";
    assertOwnExtensions(problem);
  }
}

/**
 * The `default` of a service's exhaustive switch from failures to problems: typed `never`, so
 * the compiler refuses the switch while any failure lacks its case.
 */
export function unmappedFailure(failure: never): never {
  throw new Error(`No problem is mapped for ${JSON.stringify(failure)}`);
}

export const problems = {
  validation: (errors: FieldError[], detail = "The request is not valid.") =>
    new ProblemError({
      status: 400,
      code: "VALIDATION_FAILED",
      title: "Validation failed",
      detail,
      errors,
    }),
  /** A request that cannot be read as sent (the HTTP parser's or body-parser's refusals). */
  badRequest: (status = 400, detail = "The request could not be processed.") =>
    new ProblemError({ status, code: "BAD_REQUEST", title: "Bad request", detail }),
  malformedJson: () =>
    new ProblemError({
      status: 400,
      code: "MALFORMED_JSON",
      title: "Malformed JSON",
      detail: "The request body is not valid JSON.",
    }),
  payloadTooLarge: (limit: string) =>
    new ProblemError({
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      title: "Payload too large",
      detail: `The request body exceeds ${limit}.`,
    }),
  headersTooLarge: () =>
    new ProblemError({
      status: 431,
      code: "HEADERS_TOO_LARGE",
      title: "Request header fields too large",
      detail: "The request line and headers are too large.",
    }),
  requestTimeout: () =>
    new ProblemError({
      status: 408,
      code: "REQUEST_TIMEOUT",
      title: "Request timeout",
      detail: "The request was not received in time.",
    }),
  unsupportedMediaType: () =>
    new ProblemError({
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      title: "Unsupported media type",
      detail: "Send application/json.",
    }),
  unauthenticated: (detail = "A valid bearer token is required.") =>
    new ProblemError({
      status: 401,
      code: "UNAUTHENTICATED",
      title: "Unauthenticated",
      detail,
      headers: { "WWW-Authenticate": 'Bearer realm="api"' },
    }),
  forbidden: (detail = "You are not allowed to do this.") =>
    new ProblemError({ status: 403, code: "FORBIDDEN", title: "Forbidden", detail }),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    new ProblemError({
      status: 405,
      code: "METHOD_NOT_ALLOWED",
      title: "Method not allowed",
      detail: `${path} does not answer ${method}; it answers ${allowed.join(", ")}.`,
      headers: { Allow: allowed.join(", ") },
    }),
  notFound: (code = "NOT_FOUND", detail = "No such resource.") =>
    new ProblemError({ status: 404, code, title: "Not found", detail }),
  conflict: (code: string, detail: string, extensions?: ProblemExtensions) =>
    new ProblemError({ status: 409, code, title: "Conflict", detail, extensions }),
  unavailable: (code: string, detail: string, retryAfterSeconds: number) =>
    problems.retryLater(503, code, "Service unavailable", detail, retryAfterSeconds),
  /** A refusal the client may retry after `Retry-After` seconds. */
  retryLater: (
    status: number,
    code: string,
    title: string,
    detail: string,
    retryAfterSeconds: number,
  ): ProblemError =>
    new ProblemError({
      status,
      code,
      title,
      detail,
      headers: { "Retry-After": String(retryAfterSeconds) },
    }),
  internal: () =>
    new ProblemError({
      status: 500,
      code: "INTERNAL",
      title: "Internal error",
      detail: "Something went wrong on our side.",
    }),
};

/** Turns zod issues into the contract's `errors: [{ path, message }]`. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join(".") : "(root)",
    message: issue.message,
  }));
}

/** Parses a value or throws 400 VALIDATION_FAILED naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where = "body",
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw problems.validation(fieldErrors(result.error), `The request ${where} is not valid.`);
}

/**
 * The RFC 9457 body of a problem: the one place it is built, for live answers and stored replays
 * alike. Extensions come first so the reserved members always win.
 */
export function problemBody(problem: ProblemInit): Record<string, unknown> {
  assertOwnExtensions(problem);
  return {
    ...(problem.extensions ?? {}),
    type: TYPE_BASE + problem.code.toLowerCase().replace(/_/g, "-"),
    title: problem.title,
    status: problem.status,
    detail: problem.detail ?? problem.title,
    code: problem.code,
    requestId: currentRequestId() ?? null,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

export function sendProblem(res: Response, problem: ProblemInit): void {
  const body = problemBody(problem);
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Unknown routes: 404 problem. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(problems.notFound("NOT_FOUND", `No route for ${req.method} ${req.path}.`));
};

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  expose?: boolean;
}

// Failures that say nothing about the request: 503 with Retry-After, which a client may retry.
const TRANSIENT_FAILURES = [
  {
    matches: isConnectionLoss,
    log: "dependency connection lost",
    code: "DEPENDENCY_UNAVAILABLE",
    detail: "A service this one depends on could not be reached; retry after the given time.",
  },
  {
    // A deadlock victim or a lock-wait timeout: the database rolled the change back because
    // another held what it needed. Contention, which a retry can pass.
    matches: isRetryableLockError,
    log: "transaction lost a lock race",
    code: "BUSY",
    detail:
      "Another change held what this one needed, and this one was rolled back; retry after the given time.",
  },
];
const RETRY_AFTER_SECONDS = 1;

/** Maps every error to problem+json; the unexpected is logged with its stack and never sent. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      logger.error("error after response started", { error });
      res.end();
      return;
    }
    if (error instanceof ProblemError) return sendProblem(res, error.problem);
    if (error instanceof z.ZodError)
      return sendProblem(res, problems.validation(fieldErrors(error)).problem);
    const e = (error ?? {}) as HttpishError;
    // body-parser's errors: classify by their documented `type`.
    if (e.type === "entity.parse.failed") return sendProblem(res, problems.malformedJson().problem);
    if (e.type === "entity.too.large")
      return sendProblem(res, problems.payloadTooLarge(`${e.limit ?? 1048576} bytes`).problem);
    if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
      return sendProblem(res, problems.unsupportedMediaType().problem);
    }
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500 && e.expose) {
      return sendProblem(res, problems.badRequest(status).problem);
    }
    const transient = TRANSIENT_FAILURES.find((failure) => failure.matches(error));
    if (transient) {
      logger.warn(transient.log, { error, method: req.method, path: req.path });
      return sendProblem(
        res,
        problems.unavailable(transient.code, transient.detail, RETRY_AFTER_SECONDS).problem,
      );
    }
    logger.error("unhandled error", { error, method: req.method, path: req.path });
    return sendProblem(res, problems.internal().problem);
  };
}
