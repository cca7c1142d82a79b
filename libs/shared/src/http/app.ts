import express, { type Express, type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { REQUEST_ID_HEADER, requestIdFrom, runWithContext } from "../context";
import { errorHandler, notFoundHandler, problems } from "../errors";
import { allowedMethodsOf, methodNotAllowedHandler } from "./allowedMethods";
import { runHealthChecks, type HealthCheck } from "../health";
import type { Logger } from "../logging";
import type { Metrics } from "../metrics";
import { failSpan, SpanKind, startSpan, traceContextFrom, withTraceContext } from "../tracing";
import { isDraining } from "./draining";

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  metrics: Metrics;
  /** Dependencies /health/ready probes; once startHttpServer starts draining it answers 503 instead. */
  readiness?: HealthCheck[];
  /** The service's OpenAPI document, served at /openapi.json. */
  openapi?: () => unknown;
  bodyLimit?: string;
  /**
   * The proxies allowed to name the client in X-Forwarded-For (the service's TRUST_PROXY); a
   * client's own header counts only behind them, so `req.ip` cannot be forged.
   */
  trustProxy: boolean | number | string;
  /** Mounts the service's own routes. */
  routes: (app: Express) => void;
}

/** Route template for logs and metrics, never the raw path (which would explode cardinality). */
function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: string } }).route;
  return route?.path ? `${req.baseUrl}${route.path}` : "unmatched";
}

const JSON_TYPES = ["application/json", "application/*+json"];

/** The Express app every HTTP service uses, with the platform's cross-cutting behaviour. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.set("query parser", "simple");

  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.header(REQUEST_ID_HEADER));
    res.setHeader("X-Request-Id", requestId);
    const serve = () => runWithContext({ requestId, caller: { kind: "anonymous" } }, next);
    // Probes and scrapes are not traced: they would bury the requests worth following.
    if (req.path.startsWith("/health/") || req.path === "/metrics") return serve();
    const { span, context } = startSpan(req.method, {
      kind: SpanKind.SERVER,
      parent: traceContextFrom(req.headers),
      attributes: { "http.request.method": req.method, "url.path": req.path },
    });
    res.once("close", () => {
      const route = routeTemplate(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ "http.route": route, "http.response.status_code": res.statusCode });
      if (res.statusCode >= 500) failSpan(span, new Error(`HTTP ${res.statusCode}`));
      span.end();
    });
    withTraceContext(context, serve);
  });
  app.use(helmet());
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplate(req);
      options.metrics.httpDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        seconds,
      );
      if (route.startsWith("/health") || route === "/metrics") return;
      options.logger.info("http request", {
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000 * 10) / 10,
      });
    });
    next();
  });
  // Not strict: a body of JSON that is not an object (null, "x") reaches the route's schema,
  // which answers VALIDATION_FAILED, instead of being called malformed.
  app.use(express.json({ limit: options.bodyLimit ?? "1mb", type: JSON_TYPES, strict: false }));
  // A body on a write route that is not JSON is refused rather than silently ignored.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (
      ["POST", "PUT", "PATCH"].includes(req.method) &&
      req.headers["content-length"] &&
      req.headers["content-length"] !== "0" &&
      !req.is(JSON_TYPES)
    ) {
      return next(problems.unsupportedMediaType());
    }
    next();
  });

  app.get("/health/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/health/ready", async (_req, res) => {
    if (isDraining(app)) {
      res.status(503).json({
        status: "fail",
        checks: { shutdown: { status: "fail", durationMs: 0, error: "shutting down" } },
      });
      return;
    }
    const report = await runHealthChecks(options.readiness ?? []);
    res.status(report.status === "ok" ? 200 : 503).json(report);
  });
  app.get("/metrics", async (_req, res) => {
    res.type(options.metrics.contentType()).send(await options.metrics.render());
  });
  const document = options.openapi?.();
  if (document) {
    app.get("/openapi.json", (_req, res) => {
      res.json(document);
    });
  }

  options.routes(app);

  if (document) app.use(methodNotAllowedHandler(allowedMethodsOf(document)));
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
