import path from "node:path";
import {
  connectOptionalRedis,
  createHttpApp,
  createLogger,
  createPool,
  jwksTokenVerifier,
  redisDeliveryCounter,
  databaseCheck,
  type Logger,
  Metrics,
  runMigrations,
  type RunningConsumer,
  runUntilSignalled,
  type RunningService,
  runWithContext,
  startHttpServer,
  startReliableConsumer,
  systemClock,
  startIntervalLoop,
  type IntervalLoop,
  newId,
  orderEventsConsumerWiring,
} from "@app/shared";
import { catalogOpenApi } from "./api/openapi";
import { orderEventConsumer } from "./api/orderEventConsumer";
import { productRoutes } from "./api/productRoutes";
import { reservationRoutes } from "./api/reservationRoutes";
import type { Clock, SweepReport } from "./application/ports";
import type { ReserveSettings } from "./application/reserveStock";
import { sweepExpiredReservations } from "./application/sweepExpiredReservations";
import { loadCatalogConfig, type CatalogConfig } from "./config";
import { HttpReservationAbandonment } from "./infrastructure/httpReservationAbandonment";
import { MariaDbReservationStore } from "./infrastructure/mariadbReservationStore";
import { MariaDbStockRepository } from "./infrastructure/mariadbStockRepository";
import { createCatalogPrisma } from "./infrastructure/prismaClient";
import { PrismaProductRepository } from "./infrastructure/prismaProductRepository";
import { PrometheusCatalogMetrics } from "./infrastructure/prometheusCatalogMetrics";
import { RedisProductCache } from "./infrastructure/redisProductCache";

export { loadCatalogConfig, type CatalogConfig } from "./config";
export type { SweepReport } from "./application/ports";

export const CATALOG_MIGRATIONS_DIR = path.join(__dirname, "..", "migrations");

/** close(): drains HTTP, stops the consumer and the sweeper, closes pools. */
export interface RunningCatalog extends RunningService {
  /** One sweeper pass now (tests, or an operator's one-off run). */
  sweepOnce(): Promise<SweepReport>;
}

export interface CatalogOptions {
  logger?: Logger;
  clock?: Clock;
}

/** Composition root: the only place that knows every concrete class. */
export async function startCatalog(
  config: CatalogConfig,
  options: CatalogOptions = {},
): Promise<RunningCatalog> {
  const logger = options.logger ?? createLogger({ service: "catalog", level: config.LOG_LEVEL });
  const clock: Clock = options.clock ?? systemClock;
  if (config.MIGRATE_ON_START)
    await runMigrations({ databaseUrl: config.DATABASE_URL, dir: CATALOG_MIGRATIONS_DIR, logger });

  const prisma = createCatalogPrisma(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const pool = createPool(config.DATABASE_URL, {
    connectionLimit: config.DATABASE_POOL_SIZE,
    lockWaitSeconds: config.DATABASE_LOCK_WAIT_SECONDS,
  });
  const redis = await connectOptionalRedis({
    url: config.REDIS_URL,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
    outageMessage: "redis unavailable; serving from the database",
  });

  const metrics = new Metrics();
  const catalogMetrics = new PrometheusCatalogMetrics(metrics);
  const products = new PrismaProductRepository(prisma);
  const stocks = new MariaDbStockRepository(pool);
  const reservations = new MariaDbReservationStore(pool);
  const cache = new RedisProductCache(
    redis,
    { prefix: config.REDIS_KEY_PREFIX, ttlSeconds: config.CACHE_TTL_SECONDS },
    catalogMetrics,
    logger,
  );
  const orders = new HttpReservationAbandonment(
    {
      baseUrl: config.ORDER_SERVICE_URL,
      token: config.ORDER_TOKEN,
      timeoutMs: config.ORDER_SERVICE_TIMEOUT_MS,
    },
    logger,
  );
  const verifier = jwksTokenVerifier(config, logger);
  const settings: ReserveSettings = {
    ttlSeconds: config.RESERVATION_TTL_SECONDS,
    maxAttempts: config.RESERVATION_MAX_ATTEMPTS,
    backoffBaseMs: config.RESERVATION_BACKOFF_BASE_MS,
    backoffMaxMs: config.RESERVATION_BACKOFF_MAX_MS,
  };
  const settleDeps = { reservations, cache, metrics: catalogMetrics, clock, logger };
  const sweepDeps = { ...settleDeps, orders };
  // Each pass gets its own request id, carried on its logs and on the calls to the order service.
  const sweepOnce = () =>
    runWithContext({ requestId: newId(), caller: { kind: "service", name: "sweeper" } }, () =>
      sweepExpiredReservations(sweepDeps, config.SWEEPER_BATCH_SIZE),
    );

  const app = createHttpApp({
    trustProxy: config.TRUST_PROXY,
    service: "catalog",
    logger,
    metrics,
    // Redis is not a readiness dependency: without it the service still answers from the database.
    readiness: [databaseCheck(prisma)],
    openapi: catalogOpenApi,
    routes: (express) => {
      express.use(productRoutes({ products, stocks, cache, clock, verifier }));
      express.use(
        reservationRoutes({ ...settleDeps, internalTokens: config.INTERNAL_TOKENS, settings }),
      );
    },
  });

  let consumer: RunningConsumer | undefined;
  let sweeper: IntervalLoop | undefined;
  const stopBackground = async () => {
    await sweeper?.stop();
    await consumer?.stop();
  };
  const closePools = async () => {
    await prisma.$disconnect();
    await pool.end();
    redis.disconnect();
  };
  try {
    if (config.RESERVATION_CONSUMER_ENABLED) {
      consumer = await startReliableConsumer({
        ...orderEventConsumer(settleDeps, (outcome, eventType) =>
          catalogMetrics.eventOutcome(outcome, eventType),
        ),
        ...orderEventsConsumerWiring(config, "catalog"),
        maxDeliveries: config.EVENT_MAX_DELIVERIES,
        deliveries: redisDeliveryCounter(redis, { prefix: config.REDIS_KEY_PREFIX, logger }),
        metrics,
        logger,
      });
    }
    if (config.SWEEPER_ENABLED)
      sweeper = startIntervalLoop(
        sweepOnce,
        { name: "reservation sweep", intervalMs: config.SWEEPER_INTERVAL_MS },
        logger,
      );
  } catch (error) {
    await stopBackground().catch(() => undefined);
    await closePools();
    throw error;
  }

  const server = await startHttpServer(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    closers: [stopBackground, closePools],
  });
  logger.info("catalog started", {
    port: server.port,
    consumer: Boolean(consumer),
    sweeper: Boolean(sweeper),
  });
  return { url: server.url, port: server.port, close: server.close, sweepOnce, metrics, logger };
}

if (require.main === module) {
  runUntilSignalled(
    "catalog",
    () => loadCatalogConfig(process.env),
    (config, logger) => startCatalog(config, { logger }),
  );
}
