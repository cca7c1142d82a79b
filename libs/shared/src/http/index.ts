export { createHttpApp, type HttpAppOptions } from "./app";
export {
  exitOnSignals,
  startHttpServer,
  type RunningServer,
  type RunningService,
  type ServerOptions,
} from "./server";
export {
  buildOpenApiDocument,
  idempotentReplayedHeaderDocs,
  locationHeaderDocs,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  problemSchema,
  rateLimitHeaderDocs,
  retryAfterHeaderDocs,
  z,
} from "./openapi";
export {
  callJson,
  UpstreamUnreachableError,
  type JsonRequest,
  type JsonResponse,
} from "./httpClient";
export { runUntilSignalled } from "./runUntilSignalled";
export { rateLimitHeaders, type QuotaState } from "./rateLimitHeaders";
