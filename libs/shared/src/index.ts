// The package's public surface: what services, scripts and tests use. Test helpers live in
// ./testing (the "@app/shared/testing" entry point).
export {
  ConfigError,
  developmentSecretIssues,
  env,
  exitOnConfigError,
  httpServiceEnv,
  loadConfig,
  ownedDatabaseEnv,
  tokenVerificationEnv,
} from "./config";
export {
  currentRequestId,
  outgoingHeaders,
  runWithContext,
  type Caller,
  type RequestContext,
} from "./context";
export { createLogger, type Logger } from "./logging";
export {
  declareCounters,
  declareGauges,
  declareHistograms,
  Metrics,
  type HistogramSpec,
  type MetricSpec,
} from "./metrics";
export {
  currentTraceIds,
  currentTraceparent,
  inSpan,
  otlpTracesEndpoint,
  SpanKind,
  startTracing,
  traceUseCase,
  type Tracing,
} from "./tracing";
export {
  databaseCheck,
  kafkaCheck,
  redisCheck,
  runHealthChecks,
  type HealthCheck,
  type HealthReport,
} from "./health";
export { connectOptionalRedis, optionalRedisEnv } from "./redis";
export {
  isConnectionLoss,
  parseOrThrow,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  ProblemError,
  problems,
  unmappedFailure,
  type ProblemExtensions,
  type ProblemInit,
} from "./errors";
export {
  createTokenVerifier,
  InvalidTokenError,
  jwksTokenVerifier,
  requireAuth,
  requireRole,
  requireServiceToken,
  type Principal,
  type Role,
  type TokenVerifier,
} from "./auth";
export {
  classifySendError,
  inMemoryDeliveryCounter,
  KafkaClient,
  kafkaConnectionEnv,
  orderEventsConsumerEnv,
  orderEventsConsumerWiring,
  kafkaSecurity,
  PermanentEventError,
  redisDeliveryCounter,
  reliableHandler,
  startReliableConsumer,
  type ConsumerEntryPoint,
  type DeliveryCounter,
  type EnvelopeReader,
  type EventConsumer,
  type EventOutcome,
  type EventProducer,
  type IncomingMessage,
  type KafkaSecurity,
  type MessageHandler,
  type OutgoingMessage,
  type RunningConsumer,
} from "./events";
export {
  createOrderEvent,
  deadLetterHeadersSchema,
  describedEnvelopeSchema,
  eventHeaders,
  eventTypeLabel,
  ORDER_EVENT_TYPES,
  ORDER_EVENTS_DLQ_TOPIC,
  ORDER_EVENTS_TOPIC,
  orderEventDescriptions,
  orderEventEnvelopes,
  orderEventHeadersSchema,
  orderEventKeySchema,
  orderEventPayloadSchema,
  orderEventPayloadSchemas,
  parseEnvelope,
  type EventEnvelope,
  type OrderEventType,
} from "./orderEvents";
export {
  buildOpenApiDocument,
  callJson,
  createHttpApp,
  idempotentReplayedHeaderDocs,
  locationHeaderDocs,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  rateLimitHeaderDocs,
  rateLimitHeaders,
  retryAfterHeaderDocs,
  runUntilSignalled,
  startHttpServer,
  UpstreamUnreachableError,
  z,
  type JsonResponse,
  type RunningService,
} from "./http";
export {
  createPool,
  createPrismaAdapter,
  createPrismaClient,
  DatabaseUrlError,
  inTransaction,
  isCheckViolation,
  isDuplicateKey,
  isRetryableLockError,
  MAX_LOCK_NAME_LENGTH,
  parseDatabaseUrl,
  poolConfig,
  rollBack,
  serverLockName,
  transactionOn,
  withDatabase,
  type Connection,
  type Pool,
  type PoolConnection,
} from "./database";
export { checksum, MigrationChecksumError, runMigrations, splitStatements } from "./migrations";
export {
  cursorFromQuery,
  decodeCursor,
  encodeCursor,
  pageQuerySchema,
  type KeysetCursor,
} from "./pagination";
export { systemClock, type Clock } from "./clock";
export { newId, randomIds, type IdGenerator } from "./ids";
export { jitteredBackoffMs } from "./retry";
export { startIntervalLoop, startWorkerLoop, type IntervalLoop, type WorkerLoop } from "./loops";
export {
  cliLogger,
  parseCommandWord,
  runAsMain,
  runCommand,
  type CommandLine,
  type PrintLine,
} from "./cli";
export { humanText } from "./validation";
