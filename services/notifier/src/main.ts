import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout } from "node:timers/promises";
import {
  connectOptionalRedis,
  createHttpApp,
  createPool,
  createLogger,
  jwksTokenVerifier,
  databaseCheck,
  kafkaCheck,
  KafkaClient,
  type Logger,
  Metrics,
  runMigrations,
  type RunningConsumer,
  runUntilSignalled,
  type RunningService,
  startHttpServer,
  redisDeliveryCounter,
  startReliableConsumer,
  kafkaSecurity,
  startWorkerLoop,
  type WorkerLoop,
  randomIds,
  systemClock,
  orderEventsConsumerWiring,
} from "@app/shared";
import { notifierOpenApi } from "./api/openapi";
import { orderEventConsumer } from "./api/orderEventConsumer";
import { notificationRoutes } from "./api/notificationRoutes";
import { preferenceRoutes } from "./api/preferenceRoutes";
import { webhookEndpointRoutes } from "./api/webhookEndpointRoutes";
import { callWebhook } from "./application/callWebhook";
import { deliverDue } from "./application/deliverDue";
import type { Clock, NotifierHooks } from "./application/ports";
import { sendEmail } from "./application/sendEmail";
import { loadNotifierConfig, type NotifierConfig } from "./config";
import { AuthUserDirectory } from "./infrastructure/authUserDirectory";
import { HttpWebhookSender } from "./infrastructure/httpWebhookSender";
import { createNotifierPrisma } from "./infrastructure/prismaClient";
import { MariaDbDeliveryStore } from "./infrastructure/mariadbDeliveryStore";
import { MariaDbNotificationStore } from "./infrastructure/mariadbNotificationStore";
import { MariaDbPreferenceStore } from "./infrastructure/mariadbPreferenceStore";
import { MariaDbWebhookEndpointStore } from "./infrastructure/mariadbWebhookEndpointStore";
import { PrismaNotificationReader } from "./infrastructure/prismaNotificationReader";
import { PrometheusNotifierMetrics } from "./infrastructure/prometheusNotifierMetrics";
import { SmtpEmailSender } from "./infrastructure/smtpEmailSender";
import { WebhookUrlGuard } from "./infrastructure/webhookUrlGuard";

export { loadNotifierConfig, type NotifierConfig } from "./config";
export type { NotifierHooks } from "./application/ports";
export type { Notification } from "./domain/notification";

export const NOTIFIER_MIGRATIONS_DIR = path.join(__dirname, "..", "migrations");

/** close(): drains HTTP, stops the consumer (the message in hand finishes and commits), closes the pools. */
export type RunningNotifier = RunningService;

export interface NotifierOptions {
  logger?: Logger;
  clock?: Clock;
  hooks?: NotifierHooks;
  /** false: the driver's MySQL path for batches, on MariaDB too (tests; see PoolOptions.bulk). */
  driverBulk?: boolean;
}

/** How long the start waits for the consumer's reads to warm up (see startNotifier). */
const WARM_UP_MAX_MS = 2_000;

/** A Standard Webhooks secret: whsec_ + base64 of 32 random bytes. */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** Composition root: the only place that knows every concrete class. */
export async function startNotifier(
  config: NotifierConfig,
  options: NotifierOptions = {},
): Promise<RunningNotifier> {
  const logger = options.logger ?? createLogger({ service: "notifier", level: config.LOG_LEVEL });
  if (config.MIGRATE_ON_START)
    await runMigrations({ databaseUrl: config.DATABASE_URL, dir: NOTIFIER_MIGRATIONS_DIR, logger });

  const prisma = createNotifierPrisma(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const pool = createPool(config.DATABASE_URL, {
    connectionLimit: config.DATABASE_POOL_SIZE,
    bulk: options.driverBulk,
  });
  const store = new MariaDbNotificationStore(pool);
  const reader = new PrismaNotificationReader(prisma);
  const deliveries = new MariaDbDeliveryStore(pool);
  const endpoints = new MariaDbWebhookEndpointStore(pool);
  const preferences = new MariaDbPreferenceStore(pool);
  const urls = new WebhookUrlGuard(config.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
  const mail = config.SMTP_HOST
    ? new SmtpEmailSender({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE,
        requireTls: config.SMTP_REQUIRE_TLS,
        user: config.SMTP_USER,
        password: config.SMTP_PASSWORD,
        from: config.EMAIL_FROM,
        timeoutMs: config.SMTP_TIMEOUT_MS,
      })
    : undefined;
  const clock: Clock = options.clock ?? systemClock;
  const ids = randomIds;
  const verifier = jwksTokenVerifier(config, logger);
  const metrics = new Metrics();
  let consumer: RunningConsumer | undefined;
  const notifierMetrics = new PrometheusNotifierMetrics(metrics, deliveries);
  const notifyDeps = {
    store,
    preferences,
    endpoints,
    emailEnabled: Boolean(mail),
    clock,
    ids,
    hooks: options.hooks,
  };
  const adminDeps = { endpoints, urls, clock, ids, newSecret: newWebhookSecret };

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
      express.use(notificationRoutes({ store: reader, verifier }));
      express.use(preferenceRoutes({ preferences, clock, verifier }));
      express.use(webhookEndpointRoutes({ ...adminDeps, verifier }));
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
    await pool.end();
    redis?.disconnect();
    mail?.close();
  };
  if (config.CONSUMER_ENABLED) {
    try {
      // One of the consumer's reads before the first event, so that the first fetched batch
      // does not wait for the pool's connections (and the JIT of the read path). Best effort and
      // bounded: a database that is down would hold the start for the pool's acquire timeout
      // (10 s); its batches retry as before.
      await Promise.race([
        endpoints
          .enabled()
          .catch((error: unknown) =>
            logger.warn("database not reachable before consuming; batches will retry", { error }),
          ),
        setTimeout(WARM_UP_MAX_MS, undefined, { ref: false }),
      ]);
      consumer = await startReliableConsumer({
        ...orderEventConsumer(notifyDeps, (outcome, eventType) =>
          notifierMetrics.outcome(outcome, eventType),
        ),
        ...orderEventsConsumerWiring(config, "notifier"),
        concurrency: config.CONSUMER_CONCURRENCY,
        maxAttempts: config.EVENT_MAX_ATTEMPTS,
        backoffBaseMs: config.EVENT_BACKOFF_BASE_MS,
        maxDeliveries: config.EVENT_MAX_DELIVERIES,
        deliveries: redis
          ? redisDeliveryCounter(redis, { prefix: config.REDIS_KEY_PREFIX, logger })
          : undefined,
        metrics,
        logger,
      });
    } catch (error) {
      await closePools();
      throw error;
    }
  }

  const workers = config.DELIVERY_WORKER_ENABLED
    ? startDeliveryWorkers(config, {
        deliveries,
        endpoints,
        urls,
        mail,
        clock,
        outcomes: notifierMetrics,
        hooks: options.hooks,
        logger,
      })
    : [];

  const server = await startHttpServer(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    closers: [
      async () => consumer?.stop(),
      async () => void (await Promise.all(workers.map((w) => w.stop()))),
      closePools,
    ],
  });
  logger.info("notifier started", {
    port: server.port,
    consumer: Boolean(consumer),
    deliveryWorker: workers.length > 0,
    email: mail ? `${config.SMTP_HOST}:${config.SMTP_PORT}` : "off (SMTP_HOST unset)",
  });
  return { url: server.url, port: server.port, close: server.close, metrics, logger };
}

/**
 * One loop per channel, so a dead mail server never holds webhook calls back (and the other way
 * round); inside a batch the sends run side by side, each bounded by its timeout.
 */
function startDeliveryWorkers(
  config: NotifierConfig,
  deps: {
    deliveries: MariaDbDeliveryStore;
    endpoints: MariaDbWebhookEndpointStore;
    urls: WebhookUrlGuard;
    mail: SmtpEmailSender | undefined;
    clock: Clock;
    outcomes: PrometheusNotifierMetrics;
    hooks: NotifierHooks | undefined;
    logger: Logger;
  },
): WorkerLoop[] {
  const deliverDeps = {
    deliveries: deps.deliveries,
    clock: deps.clock,
    policy: {
      backoffBaseMs: config.DELIVERY_BACKOFF_BASE_MS,
      backoffMaxMs: config.DELIVERY_BACKOFF_MAX_MS,
      maxAgeMs: config.DELIVERY_MAX_AGE_SECONDS * 1000,
    },
    batchSize: config.DELIVERY_BATCH_SIZE,
    leaseMs: config.DELIVERY_LEASE_SECONDS * 1000,
    outcomes: deps.outcomes,
    hooks: deps.hooks,
  };
  const loop = (name: string, pass: () => Promise<boolean>) =>
    startWorkerLoop(
      pass,
      { name, idleMs: config.DELIVERY_POLL_INTERVAL_MS, maxErrorBackoffMs: 30_000 },
      deps.logger,
    );
  const webhookDeps = {
    endpoints: deps.endpoints,
    sender: new HttpWebhookSender(deps.urls, config.WEBHOOK_TIMEOUT_MS),
    urls: deps.urls,
    clock: deps.clock,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
    onDisabled: () => deps.outcomes.endpointDisabled(),
    logger: deps.logger,
  };
  const loops = [
    loop("webhook-deliveries", () =>
      deliverDue(deliverDeps, "WEBHOOK", (d) => callWebhook(webhookDeps, d)),
    ),
  ];
  const mail = deps.mail;
  if (mail) {
    const emailDeps = {
      users: new AuthUserDirectory(config.AUTH_URL, config.AUTH_TOKEN, config.SMTP_TIMEOUT_MS),
      mail,
      messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN,
    };
    loops.push(
      loop("email-deliveries", () =>
        deliverDue(deliverDeps, "EMAIL", (d) => sendEmail(emailDeps, d)),
      ),
    );
  }
  return loops;
}

if (require.main === module) {
  runUntilSignalled(
    "notifier",
    () => loadNotifierConfig(process.env),
    (config, logger) => startNotifier(config, { logger }),
  );
}
