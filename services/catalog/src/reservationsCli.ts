// `npm run reservations -- ...` at the repository root, `node dist/reservationsCli.js ...` in the
// image: expired reservations listed, or swept now (the same use case as the service's sweeper
// loop). Logs go to stderr; stdout carries JSON lines only.
import {
  connectOptionalRedis,
  cliLogger,
  createPool,
  Metrics,
  runAsMain,
  runCommand,
  runWithContext,
  type CommandLine,
  type Logger,
  type Pool,
  newId,
  systemClock,
  type Clock,
} from "@app/shared";
import type { Redis } from "ioredis";
import { parseReservationsCommand, runReservationsCommand } from "./api/reservationsCommand";
import { sweepExpiredReservations } from "./application/sweepExpiredReservations";
import { loadCatalogConfig, type CatalogConfig } from "./config";
import { HttpReservationAbandonment } from "./infrastructure/httpReservationAbandonment";
import { MariaDbExpiredReservations } from "./infrastructure/mariadbExpiredReservations";
import { MariaDbReservationStore } from "./infrastructure/mariadbReservationStore";
import { PrometheusCatalogMetrics } from "./infrastructure/prometheusCatalogMetrics";
import { RedisProductCache } from "./infrastructure/redisProductCache";

/** One sweeper pass, wired as the service wires its loop's; each pass has its own request id. */
function sweeper(config: CatalogConfig, pool: Pool, redis: Redis, logger: Logger, clock: Clock) {
  const metrics = new PrometheusCatalogMetrics(new Metrics());
  const deps = {
    reservations: new MariaDbReservationStore(pool),
    orders: new HttpReservationAbandonment(
      {
        baseUrl: config.ORDER_SERVICE_URL,
        token: config.ORDER_TOKEN,
        timeoutMs: config.ORDER_SERVICE_TIMEOUT_MS,
      },
      logger,
    ),
    cache: new RedisProductCache(
      redis,
      { prefix: config.REDIS_KEY_PREFIX, ttlSeconds: config.CACHE_TTL_SECONDS },
      metrics,
      logger,
    ),
    metrics,
    clock,
    logger,
  };
  return () =>
    runWithContext(
      { requestId: newId(), caller: { kind: "service", name: "reservations-cli" } },
      () => sweepExpiredReservations(deps, config.SWEEPER_BATCH_SIZE),
    );
}

/** Runs the command line; resolves to the process exit code. */
export const reservationsCli: CommandLine = (argv, env, print) =>
  runCommand(argv, parseReservationsCommand, async (command) => {
    const config = loadCatalogConfig(env);
    const logger = cliLogger("reservations-cli", config.LOG_LEVEL);
    const pool = createPool(config.DATABASE_URL, { connectionLimit: 3 });
    const sweeping = command.name === "sweep" && !command.dryRun;
    // Released stock must not stay stale in the product cache: the sweep invalidates it.
    const redis = sweeping
      ? await connectOptionalRedis({
          url: config.REDIS_URL,
          commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
          logger,
          outageMessage: "redis unavailable; the product cache expires on its own",
        })
      : undefined;
    try {
      const clock = systemClock;
      const sweepOnce = redis
        ? sweeper(config, pool, redis, logger, clock)
        : () => Promise.reject(new Error("sweep --dry-run does not sweep"));
      await runReservationsCommand(
        command,
        {
          expired: new MariaDbExpiredReservations(pool),
          sweepOnce,
          now: clock.now,
        },
        print,
      );
    } finally {
      await pool.end();
      redis?.disconnect();
    }
  });

if (require.main === module) runAsMain(reservationsCli);
