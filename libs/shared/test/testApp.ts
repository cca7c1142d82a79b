import { PassThrough } from "node:stream";
import type { Express } from "express";
import { createHttpApp, createLogger, Metrics, type HealthCheck } from "../src";

/** A throwaway service built with the app factory, its log lines captured for assertions. */
export function buildTestApp(
  routes: (app: Express) => void,
  readiness: HealthCheck[] = [],
  trustProxy: boolean | number | string = "loopback",
) {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  const logger = createLogger({ service: "test-svc", stream, level: "debug" });
  const metrics = new Metrics({ collectDefaults: false });
  const app = createHttpApp({
    service: "test-svc",
    logger,
    metrics,
    readiness,
    routes,
    trustProxy,
    openapi: () => ({ openapi: "3.1.0" }),
  });
  return { app, logger, metrics, lines };
}
