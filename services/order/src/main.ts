import path from "node:path";
import {
  connectOptionalRedis,
  createHttpApp,
  createLogger,
  createPool,
  jwksTokenVerifier,
  databaseCheck,
  Metrics,
  runMigrations,
  runUntilSignalled,
  type RunningService,
  startHttpServer,
  type Logger,
  systemClock,
  startIntervalLoop,
  type IntervalLoop,
} from "@app/shared";
import { internalRoutes } from "./api/internalRoutes";
import { orderOpenApi } from "./api/openapi";
import { orderRoutes } from "./api/orderRoutes";
import type { PlaceOrderDeps, PlacementHooks } from "./application/placeOrder";
import type { Clock, PaymentGateway } from "./application/ports";
import { purgeIdempotencyKeys } from "./application/purgeIdempotencyKeys";
import { recoverPlacements, type RecoveryReport } from "./application/recoverPlacements";
import { loadOrderConfig, type OrderConfig } from "./config";
import { BreakerPaymentGateway } from "./infrastructure/breakerPaymentGateway";
import type { BreakerSettings } from "./infrastructure/circuitBreaker";
import { HttpCatalogReservations } from "./infrastructure/httpCatalogReservations";
import { MariaDbOrderStore } from "./infrastructure/mariadbOrderStore";
import { MariaDbPlacementStore } from "./infrastructure/mariadbPlacementStore";
import { InMemoryPaymentGateway } from "./infrastructure/inMemoryPaymentGateway";
import { createOrderPrisma } from "./infrastructure/prismaClient";
import { PrismaOrderReader } from "./infrastructure/prismaOrderReader";
import { PrometheusOrderMetrics } from "./infrastructure/prometheusOrderMetrics";
import { RedisIdempotencyCache } from "./infrastructure/redisIdempotencyCache";

export { loadOrderConfig, type OrderConfig } from "./config";
export type { RecoveryReport } from "./application/recoverPlacements";
export type { PlacementHooks } from "./application/placeOrder";
export type { PaymentGateway } from "./application/ports";
export { InMemoryPaymentGateway } from "./infrastructure/inMemoryPaymentGateway";
export { paymentReference } from "./domain/payment";

export const ORDER_MIGRATIONS_DIR = path.join(__dirname, "..", "migrations");

/** close(): drains HTTP, stops the maintenance loop, closes pools. */
export interface RunningOrder extends RunningService {
  /** One recovery pass now (tests, or an operator's one-off run). */
  recoverOnce(): Promise<RecoveryReport>;
  /** Deletes finished idempotency keys past their retention; returns how many. */
  purgeKeysOnce(): Promise<number>;
}

export interface OrderOptions {
  logger?: Logger;
  clock?: Clock;
  /** Test seams inside the placement flow (e.g. stop the process right before the commit). */
  hooks?: PlacementHooks;
  /** The payment provider's adapter (default: the in-memory stand-in). */
  payment?: PaymentGateway;
}

/** Composition root: the only place that knows every concrete class. */
export async function startOrder(
  config: OrderConfig,
  options: OrderOptions = {},
): Promise<RunningOrder> {
  const logger = options.logger ?? createLogger({ service: "order", level: config.LOG_LEVEL });
  const clock: Clock = options.clock ?? systemClock;
  if (config.MIGRATE_ON_START)
    await runMigrations({ databaseUrl: config.DATABASE_URL, dir: ORDER_MIGRATIONS_DIR, logger });

  const prisma = createOrderPrisma(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const pool = createPool(config.DATABASE_URL, { connectionLimit: config.DATABASE_POOL_SIZE });
  const redis = await connectOptionalRedis({
    url: config.REDIS_URL,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
    outageMessage: "redis unavailable; idempotency relies on the database alone",
  });

  const metrics = new Metrics();
  const orderMetrics = new PrometheusOrderMetrics(metrics);
  const breaker: BreakerSettings = {
    timeoutMs: config.BREAKER_TIMEOUT_MS,
    errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENTAGE,
    resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
  };
  const catalog = new HttpCatalogReservations(
    {
      baseUrl: config.CATALOG_URL,
      token: config.CATALOG_TOKEN,
      breaker,
      retry: { retries: config.CATALOG_RETRIES, baseDelayMs: config.RETRY_BACKOFF_BASE_MS },
    },
    logger,
  );
  const payment = new BreakerPaymentGateway(
    options.payment ?? new InMemoryPaymentGateway(config.PAYMENT_DECLINE_ABOVE),
    breaker,
    logger,
  );
  orderMetrics.watchBreaker("catalog", catalog.breaker);
  orderMetrics.watchBreaker("payment", payment.breaker);

  const keys = new MariaDbPlacementStore(pool);
  const orders = new MariaDbOrderStore(pool);
  const reader = new PrismaOrderReader(prisma);
  const cache = new RedisIdempotencyCache(redis, config.REDIS_KEY_PREFIX, logger);
  const verifier = jwksTokenVerifier(config, logger);

  const placement: PlaceOrderDeps = {
    keys,
    cache,
    catalog,
    payment,
    metrics: orderMetrics,
    clock,
    logger,
    settings: { leaseMs: config.PLACEMENT_LEASE_MS, retentionHours: config.IDEMPOTENCY_TTL_HOURS },
    hooks: options.hooks,
  };
  const recoverOnce = () =>
    recoverPlacements({
      keys,
      catalog,
      payment,
      metrics: orderMetrics,
      clock,
      logger,
      settings: { leaseMs: config.PLACEMENT_LEASE_MS, batchSize: config.RECOVERY_BATCH_SIZE },
    });
  const purgeKeysOnce = () => purgeIdempotencyKeys({ keys, clock }, config.IDEMPOTENCY_TTL_HOURS);

  const app = createHttpApp({
    trustProxy: config.TRUST_PROXY,
    service: "order",
    logger,
    metrics,
    // Redis is not a readiness dependency: the database alone keeps placements exactly-once.
    readiness: [databaseCheck(prisma)],
    openapi: orderOpenApi,
    routes: (express) => {
      express.use(
        orderRoutes({ placement, statusChange: { orders, reader, clock }, reader, verifier }),
      );
      express.use(internalRoutes({ keys, clock, internalTokens: config.INTERNAL_TOKENS }));
    },
  });

  let loop: IntervalLoop | undefined;
  if (config.RECOVERY_ENABLED) {
    // Placements a previous process left in flight are resolved before new traffic arrives.
    await recoverOnce().catch((error: unknown) =>
      logger.error("recovery on start failed", { error }),
    );
    loop = startIntervalLoop(
      async () => {
        await recoverOnce();
        await purgeKeysOnce();
      },
      { name: "maintenance pass", intervalMs: config.RECOVERY_INTERVAL_MS },
      logger,
    );
  }

  const server = await startHttpServer(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    closers: [
      async () => loop?.stop(),
      async () => {
        catalog.breaker.shutdown();
        payment.breaker.shutdown();
        await prisma.$disconnect();
        await pool.end();
        redis.disconnect();
      },
    ],
  });
  logger.info("order started", { port: server.port, recovery: Boolean(loop) });
  return {
    url: server.url,
    port: server.port,
    close: server.close,
    recoverOnce,
    purgeKeysOnce,
    metrics,
    logger,
  };
}

if (require.main === module) {
  runUntilSignalled(
    "order",
    () => loadOrderConfig(process.env),
    (config, logger) => startOrder(config, { logger }),
  );
}
