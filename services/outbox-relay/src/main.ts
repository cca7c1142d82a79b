import {
  createHttpApp,
  createLogger,
  createPool,
  databaseCheck,
  Metrics,
  runUntilSignalled,
  type RunningService,
  startHttpServer,
  type Logger,
  kafkaSecurity,
  startWorkerLoop,
  type WorkerLoop,
  systemClock,
} from "@app/shared";
import type { Clock, RelayHooks } from "./application/ports";
import { purgePublished } from "./application/purgePublished";
import { adaptiveBatchSize } from "./application/batchSize";
import { relayBatch, type BatchReport } from "./application/relayBatch";
import { loadRelayConfig, type RelayConfig } from "./config";
import { KafkaEventPublisher } from "./infrastructure/kafkaEventPublisher";
import { MariaDbOutboxStore } from "./infrastructure/mariadbOutboxStore";
import { OutboxGaugeLease } from "./infrastructure/outboxGaugeLease";
import { PrometheusRelayMetrics } from "./infrastructure/prometheusRelayMetrics";

export { loadRelayConfig, type RelayConfig } from "./config";
export type { BatchReport } from "./application/relayBatch";
export type { RelayHooks } from "./application/ports";
export type { OutboundEvent } from "./domain/outboxEvent";

/** close(): finishes the batch in hand, stops the loops, drains HTTP, closes Kafka and the pool. */
export interface RunningRelay extends RunningService {
  /** One claim-publish-settle pass now (tests, or with the loop disabled). */
  runOnce(): Promise<BatchReport>;
  /** One retention pass now; returns the rows deleted. */
  purgeOnce(): Promise<number>;
}

export interface RelayOptions {
  logger?: Logger;
  clock?: Clock;
  hooks?: RelayHooks;
  /** Start the polling and retention loops (default true); tests may drive runOnce themselves. */
  loops?: boolean;
}

/** Composition root: the only place that knows every concrete class. */
export async function startRelay(
  config: RelayConfig,
  options: RelayOptions = {},
): Promise<RunningRelay> {
  const logger =
    options.logger ?? createLogger({ service: "outbox-relay", level: config.LOG_LEVEL });
  const clock: Clock = options.clock ?? systemClock;
  const pool = createPool(config.DATABASE_URL, { connectionLimit: config.DATABASE_POOL_SIZE });
  const metrics = new Metrics();
  const gaugeLease = new OutboxGaugeLease(pool);
  const relayMetrics = new PrometheusRelayMetrics(metrics, pool, gaugeLease);
  const outbox = new MariaDbOutboxStore(pool);
  const publisher = new KafkaEventPublisher(
    {
      brokers: config.KAFKA_BROKERS,
      topic: config.ORDER_EVENTS_TOPIC,
      partitions: config.ORDER_EVENTS_PARTITIONS,
      sendTimeoutMs: config.RELAY_SEND_TIMEOUT_MS,
      security: kafkaSecurity(config),
      createTopics: config.KAFKA_CREATE_TOPICS,
    },
    logger,
  );
  const batchDeps = {
    outbox,
    publisher,
    metrics: relayMetrics,
    clock,
    logger,
    hooks: options.hooks,
  };
  const batchSettings = {
    batchSize: config.RELAY_BATCH_SIZE,
    maxAttempts: config.RELAY_MAX_ATTEMPTS,
    backoffBaseMs: config.RELAY_BACKOFF_BASE_MS,
    backoffMaxMs: config.RELAY_BACKOFF_MAX_MS,
  };
  const retention = {
    retentionHours: config.RELAY_RETENTION_HOURS,
    chunkSize: config.RELAY_RETENTION_CHUNK,
  };

  const runPass = async (batchSize: number): Promise<BatchReport> => {
    // While Kafka is unreachable nothing is claimed: rows wait without spending attempts.
    if (!(await publisher.ready())) return { published: 0, retried: 0, failed: 0 };
    return relayBatch(batchDeps, { ...batchSettings, batchSize });
  };
  const runOnce = () => runPass(config.RELAY_BATCH_SIZE);
  const batchSize = adaptiveBatchSize(config.RELAY_BATCH_SIZE, config.RELAY_BATCH_SIZE_MAX);
  let stopping = false;
  const purgeOnce = () =>
    purgePublished({ outbox, metrics: relayMetrics, clock, logger }, retention, () => stopping);

  const loops: WorkerLoop[] = [];
  if (options.loops ?? true) {
    loops.push(
      startWorkerLoop(
        async () => {
          // With a backlog, several claims at once: one batch is with Kafka while the next is
          // claimed and settled. SKIP LOCKED keeps them disjoint and an order's next event waits
          // for its previous one to commit as PUBLISHED, as between replicas.
          const claims = batchSize.backlog ? config.RELAY_CLAIMS_IN_FLIGHT : 1;
          const size = batchSize.current;
          const reports = await Promise.all(Array.from({ length: claims }, () => runPass(size)));
          const settled = reports.map((r) => r.published + r.retried + r.failed);
          // The backlog lasts while every claim came back full.
          batchSize.after(Math.min(...settled));
          return settled.some((n) => n > 0);
        },
        { name: "relay", idleMs: config.RELAY_POLL_INTERVAL_MS, maxErrorBackoffMs: 5_000 },
        logger,
      ),
      startWorkerLoop(
        async () => (await purgeOnce(), false),
        {
          name: "retention",
          idleMs: config.RELAY_RETENTION_INTERVAL_MS,
          maxErrorBackoffMs: 60_000,
        },
        logger,
      ),
    );
  }
  const stopWork = async () => {
    stopping = true;
    await Promise.all(loops.map((l) => l.stop()));
    await publisher.close();
    gaugeLease.release();
    await pool.end();
  };

  const app = createHttpApp({
    trustProxy: config.TRUST_PROXY,
    service: "outbox-relay",
    logger,
    metrics,
    // Ready means able to publish: connected, with the topics in place.
    readiness: [
      databaseCheck(pool),
      {
        name: "kafka",
        timeoutMs: 5000,
        check: async () => {
          if (!(await publisher.ready())) throw new Error("kafka producer not connected");
        },
      },
    ],
    routes: () => undefined,
  });
  const server = await startHttpServer(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    closers: [stopWork],
  });
  logger.info("outbox relay started", {
    port: server.port,
    topic: config.ORDER_EVENTS_TOPIC,
    loops: loops.length > 0,
  });
  return {
    url: server.url,
    port: server.port,
    close: server.close,
    runOnce,
    purgeOnce,
    metrics,
    logger,
  };
}

if (require.main === module) {
  runUntilSignalled(
    "outbox-relay",
    () => loadRelayConfig(process.env),
    (config, logger) => startRelay(config, { logger }),
  );
}
