import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "../logging";
import type { Metrics } from "../metrics";
import { answerClientError } from "./clientError";
import { markDraining } from "./draining";

export interface RunningServer {
  server: http.Server;
  port: number;
  url: string;
  /**
   * Turns readiness 503, stops accepting, lets in-flight requests finish (up to the deadline), then
   * runs the closers.
   */
  close(): Promise<void>;
}

/** What starting a service hands back (to main's bootstrap or a test): where it listens, how it stops. */
export interface RunningService {
  url: string;
  port: number;
  close(): Promise<void>;
  metrics: Metrics;
  logger: Logger;
}

export interface ServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Pools and clients to close after the last request, in order. */
  closers?: Array<() => Promise<unknown>>;
  /** Longest wait for in-flight requests before open connections are cut. */
  drainDeadlineMs?: number;
  /**
   * Called when draining starts, just after the app's readiness has turned 503 (which needs no
   * help from the service): for work of the service's own at that moment, such as stopping loops.
   */
  onDrainStart?: () => void;
}

export async function startHttpServer(
  app: Express,
  options: ServerOptions,
): Promise<RunningServer> {
  const server = http.createServer(app);
  server.on("clientError", answerClientError);
  // Responses still in progress when draining starts are told to close their connection,
  // so keep-alive clients do not hold the drain open until the deadline.
  const inProgress = new Set<http.ServerResponse>();
  let draining = false;
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.shouldKeepAlive = false;
    inProgress.add(res);
    res.on("close", () => inProgress.delete(res));
  });
  // Keep-alive shorter than typical load balancers' idle timeouts would cause 502s; make it longer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  const close = () => {
    closing ??= (async () => {
      markDraining(app);
      options.onDrainStart?.();
      draining = true;
      for (const res of inProgress) if (!res.headersSent) res.shouldKeepAlive = false;
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = options.drainDeadlineMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), deadline);
      });
      if ((await Promise.race([drained, timedOut])) === "timeout") {
        options.logger.warn("drain deadline reached; closing open connections", {
          deadlineMs: deadline,
        });
        server.closeAllConnections();
        await drained;
      }
      clearTimeout(timer);
      for (const closer of options.closers ?? []) {
        try {
          await closer();
        } catch (error) {
          options.logger.warn("closer failed during shutdown", { error });
        }
      }
    })();
    return closing;
  };

  return { server, port, url: `http://127.0.0.1:${port}`, close };
}

/**
 * Runs `stop` once on SIGTERM or SIGINT and exits; a second signal or the hard deadline exits
 * at once, so a stuck dependency can never keep a pod in Terminating.
 */
export function exitOnSignals(
  stop: () => Promise<void>,
  logger: Logger,
  hardDeadlineMs = 25_000,
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn("second signal; exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("shutting down", { signal });
    setTimeout(() => {
      logger.error("shutdown deadline exceeded; exiting", { hardDeadlineMs });
      process.exit(1);
    }, hardDeadlineMs).unref();
    stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
