import { randomUUID } from "node:crypto";
import path from "node:path";
import {
  connectOptionalRedis,
  createHttpApp,
  createLogger,
  createTokenVerifier,
  databaseCheck,
  kafkaCheck,
  KafkaClient,
  type Logger,
  Metrics,
  runMigrations,
  type RunningConsumer,
  runUntilSignalled,
  startHttpServer,
  redisDeliveryCounter,
  startReliableConsumer,
  traceUseCase,
  kafkaSecurity,
} from "@app/shared";
import { notifierOpenApi } from "./api/openapi";
import { notificationRoutes } from "./api/notificationRoutes";
import { notifyOrderEvent } from "./application/notifyOrderEvent";
import type { Clock, NotificationChannel, NotifierHooks } from "./application/ports";
import { loadNotifierConfig, type NotifierConfig } from "./config";
import { LoggingNotificationChannel } from "./infrastructure/loggingNotificationChannel";
import { toFacts } from "./infrastructure/orderEventPayload";
import { createNotifierPrisma } from "./infrastructure/prismaClient";
import { PrismaNotificationStore } from "./infrastructure/prismaNotificationStore";
import { PrometheusNotifierMetrics } from "./infrastructure/prometheusNotifierMetrics";

export { loadNotifierConfig, type NotifierConfig } from "./config";
export type { NotifierHooks } from "./application/ports";
export type { Notification } from "./domain/notification";

export const NOTIFIER_MIGRATIONS_DIR = path.join(__dirname, "..", "migrations");

export interface RunningNotifier {
  url: string;
  port: number;
  /** Drains HTTP, stops the consumer (the message in hand finishes and commits), closes the pool. */
  close(): Promise<void>;
  metrics: Metrics;
  logger: Logger;
}

export interface NotifierOptions {
  logger?: Logger;
  clock?: Clock;
  channel?: NotificationChannel;
  hooks?: NotifierHooks;
}

/** Composition root: the only place that knows every concrete class. */
export async function startNotifier(
  config: NotifierConfig,
  options: NotifierOptions = {},
): Promise<RunningNotifier> {
  const logger = options.logger ?? createLogger({ service: "notifier", level: config.LOG_LEVEL });
  if (config.MIGRATE_ON_START)
    await runMigrations({ databaseUrl: config.DATABASE_URL, dir: NOTIFIER_MIGRATIONS_DIR, logger });

  const prisma = createNotifierPrisma(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const store = new PrismaNotificationStore(prisma);
  const channel = options.channel ?? new LoggingNotificationChannel(logger);
  const clock: Clock = options.clock ?? { now: () => new Date() };
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithm: "RS256",
    jwksUrl: config.JWKS_URL,
    jwksRefreshIntervalMs: config.JWKS_REFRESH_SECONDS * 1000,
    onKeySetError: (error) => logger.warn("JWKS fetch failed; keeping the keys held", { error }),
  });
  const metrics = new Metrics();
  let consumer: RunningConsumer | undefined;
  const notifierMetrics = new PrometheusNotifierMetrics(metrics);
  const notifyDeps = { store, channel, clock, ids: { next: randomUUID }, hooks: options.hooks };

  const app = createHttpApp({
    trustProxy: config.TRUST_PROXY,
    service: "notifier",
    logger,
    metrics,
    // The consumer needs Kafka as much as the database; the probe's client logs nothing itself.
    readiness: [
      databaseCheck(prisma),
      ...(config.CONSUMER_ENABLED
        ? [
            kafkaCheck(
              new KafkaClient({
                brokers: config.KAFKA_BROKERS,
                clientId: "notifier",
                security: kafkaSecurity(config),
              }),
            ),
          ]
        : []),
    ],
    openapi: notifierOpenApi,
    routes: (express) => {
      express.use(notificationRoutes({ store, verifier }));
    },
  });

  const redis = config.REDIS_URL
    ? await connectOptionalRedis({
        url: config.REDIS_URL,
        commandTimeoutMs: 200,
        logger,
        outageMessage: "redis unavailable; delivery counts kept in process",
      })
    : undefined;
  const closePools = async () => {
    await prisma.$disconnect();
    redis?.disconnect();
  };
  if (config.CONSUMER_ENABLED) {
    try {
      consumer = await startReliableConsumer({
        brokers: config.KAFKA_BROKERS,
        clientId: "notifier",
        topic: config.ORDER_EVENTS_TOPIC,
        partitions: config.ORDER_EVENTS_PARTITIONS,
        groupId: config.KAFKA_GROUP_ID,
        concurrency: config.CONSUMER_CONCURRENCY,
        maxAttempts: config.EVENT_MAX_ATTEMPTS,
        backoffBaseMs: config.EVENT_BACKOFF_BASE_MS,
        maxDeliveries: config.EVENT_MAX_DELIVERIES,
        security: kafkaSecurity(config),
        createTopics: config.KAFKA_CREATE_TOPICS,
        deliveries: redis
          ? redisDeliveryCounter(redis, { prefix: config.REDIS_KEY_PREFIX, logger })
          : undefined,
        parse: toFacts,
        handle: (facts) =>
          traceUseCase("notifyOrderEvent", () => notifyOrderEvent(notifyDeps, facts)),
        onOutcome: (outcome, eventType) => notifierMetrics.outcome(outcome, eventType),
        metrics,
        logger,
      });
    } catch (error) {
      await closePools();
      throw error;
    }
  }

  const server = await startHttpServer(app, {
    port: config.PORT,
    logger,
    closers: [async () => consumer?.stop(), closePools],
  });
  logger.info("notifier started", { port: server.port, consumer: Boolean(consumer) });
  return { url: server.url, port: server.port, close: server.close, metrics, logger };
}

if (require.main === module) {
  runUntilSignalled(
    "notifier",
    () => loadNotifierConfig(process.env),
    (config, logger) => startNotifier(config, { logger }),
  );
}
