// `npm run bench`: the whole system under load on this machine, each figure next to its limit.
// Prints a Markdown table and writes it to bench/results/<date>.md. Not part of `npm test`.
//   npm run bench                # full run (about 4 minutes)
//   BENCH_SECONDS=5 npm run bench  # shorter load phases
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger, createPool, KafkaClient, withDatabase } from "@app/shared";
import { uniqueName } from "@app/shared/testing";
import { hotProductRound, spreadRound, type HotRound } from "./hotProduct";
import { producerPerformance } from "./kafkaTools";
import { commitToNotificationLag } from "./lag";
import { notifierFigures, relayThroughput, sampleEnvelope } from "./pipeline";
import {
  benchServers,
  measureAnswerPath,
  measurePlacement,
  startBenchStack,
  type PlacementRun,
} from "./placementStage";
import { rawPlacement, type RawResult } from "./rawPlacement";
import { benchResults, writeLatestJson } from "./results";
import { median, ratio, round } from "./stats";

const REPO = path.resolve(__dirname, "..");
process.env.DATABASE_URL ??= "mysql://root@127.0.0.1:3306/bench";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
process.env.KAFKA_BROKERS ??= "127.0.0.1:9092";
const brokers = process.env.KAFKA_BROKERS.split(",");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCIES = [1, 8, 32];
// The concurrency the answer path alone is measured at (one of CONCURRENCIES, for its raw figure).
const ANSWER_PATH_CONCURRENCY = 8;
const EVENTS = 10_000;
const BUYERS = 100;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function machine() {
  const pool = createPool(withDatabase(process.env.DATABASE_URL!, ""), { connectionLimit: 1 });
  const [row] = (await pool.query("SELECT VERSION() AS v")) as { v: string }[];
  const v = row?.v ?? "unknown";
  await pool.end();
  const kafkaVersion = execFileSync(
    "bash",
    [path.join(REPO, "scripts/infra/kafka.sh"), "version"],
    { encoding: "utf8" },
  ).trim();
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    database: `MariaDB ${v}`,
    kafka: kafkaVersion,
  };
}

async function main() {
  if (process.env.SKIP_INFRA !== "1")
    execFileSync("bash", [path.join(REPO, "scripts/infra/up.sh")], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  const info = await machine();
  log(`machine: ${info.cores} cores, ${info.memoryGiB} GiB, ${info.database}, Kafka ${info.kafka}`);

  // 1-3: through the gateway of a stack started as `npm start` does (its own databases and ports).
  log("starting an isolated stack");
  const b = await startBenchStack(benchServers(), BUYERS);
  const { e, admin, tokens, products } = b;
  const hot: HotRound[] = [];
  let placement: PlacementRun[];
  let lag: Awaited<ReturnType<typeof commitToNotificationLag>>;
  let halfPeak: Awaited<ReturnType<typeof commitToNotificationLag>>;
  let spread: Awaited<ReturnType<typeof spreadRound>>;
  let answerPath: PlacementRun;
  try {
    log(`placement through the gateway, ${SECONDS} s per concurrency`);
    placement = await measurePlacement(b, CONCURRENCIES, SECONDS, log);

    log("hot product: 100 buyers, 50 units, 5 rounds");
    for (let round_ = 0; round_ < 5; round_++) {
      hot.push(await hotProductRound(e.gateway, e.stack.services.catalog!.url, admin, tokens, 50));
      log(`  round ${round_ + 1}: ${JSON.stringify(hot[hot.length - 1])}`);
    }

    log("the same 100 buyers spread over 100 products");
    spread = await spreadRound(e.gateway, admin, tokens);
    log(`  ${JSON.stringify(spread)}`);

    log("commit-to-notification lag at 20 orders/s");
    lag = await commitToNotificationLag(
      e.gateway,
      tokens[0]!,
      products,
      20,
      Math.max(10, SECONDS + 5),
    );
    log(`  ${JSON.stringify(lag)}`);
    // Half of the best throughput the placement phase reached: the load a system is sized for.
    const halfPeakRate = Math.max(
      1,
      Math.round(Math.max(...placement.map((p) => p.perSecond)) / 2),
    );
    log(`placement latency and lag at half of the peak, ${halfPeakRate} orders/s`);
    halfPeak = await commitToNotificationLag(
      e.gateway,
      tokens[1]!,
      products,
      halfPeakRate,
      Math.max(10, SECONDS),
    );
    log(`  ${JSON.stringify(halfPeak)}`);

    // Last, as it leaves the stack without its relay.
    log(
      `placement with the outbox relay stopped (the answer path alone), c=${ANSWER_PATH_CONCURRENCY}`,
    );
    answerPath = await measureAnswerPath(b, ANSWER_PATH_CONCURRENCY, SECONDS, log);
  } finally {
    await e.stop();
  }

  log("raw SQL placement limit");
  const raw: RawResult[] = await rawPlacement(CONCURRENCIES, SECONDS, 100);
  for (const r of raw) log(`  c=${r.concurrency}: ${JSON.stringify(r)}`);

  log(`relay over a ${EVENTS}-row backlog`);
  const relay1 = await relayThroughput(EVENTS, 1, 50);
  const relay2 = await relayThroughput(EVENTS, 2, 50);
  const relayBig = await relayThroughput(EVENTS, 1, 200);
  log(
    `  1 replica: ${JSON.stringify(relay1)}; 2 replicas: ${JSON.stringify(relay2)}; batch 200: ${JSON.stringify(relayBig)}`,
  );
  const kafka = new KafkaClient({
    brokers,
    clientId: "bench",
    logger: createLogger({ service: "bench", silent: true }),
  });
  const perfTopic = uniqueName("bench_producer_perf");
  await kafka.ensureTopics([{ topic: perfTopic, partitions: 3 }]);
  const recordSize = JSON.stringify(sampleEnvelope()).length;
  const producerPerf = await producerPerformance(brokers.join(","), perfTopic, EVENTS, recordSize);
  log(`  kafka-producer-perf-test: ${JSON.stringify(producerPerf)}`);

  log(`notifier over ${EVENTS} messages`);
  const {
    notifier,
    tool: consumerPerf,
    raw: notifierRaw,
  } = await notifierFigures(kafka, brokers, EVENTS);
  log(
    `  notifier: ${JSON.stringify(notifier)}; kafka-consumer-perf-test: ${JSON.stringify(consumerPerf)}; raw inserts: ${JSON.stringify(notifierRaw)}`,
  );
  await kafka.deleteTopics([perfTopic]).catch(() => undefined);

  const date = new Date().toISOString().slice(0, 10);
  const ms = (v: number) => `${round(v, 1)} ms`;
  const steadyRow = (label: string, l: typeof lag) =>
    `| ${label} | ${l.orders} | ${ms(l.placementP50)} | ${ms(l.placementP99)} | ${l.p50} ms | ${l.p99} ms | ${l.max} ms |`;
  const lines = [
    `# Benchmark ${date}`,
    "",
    `Machine: ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB memory, Node ${info.node}, ${info.database}, Kafka ${info.kafka} (single KRaft node), everything on one host. Load phases ${SECONDS} s each. \`npm run bench\`.`,
    "",
    "## Order placement through the gateway vs the same database work in raw SQL",
    "",
    "Gateway: `POST /api/v1/orders` with autocannon, a unique `Idempotency-Key` per request, 100 users, one line on one of 100 products; each order = token check, idempotency claim (MariaDB; one Redis read for a copied answer), reservation at the catalog over HTTP behind a breaker, payment placeholder, order + items + outbox + key in one transaction. Raw: the same rows and statements (idempotency row, reservation with the guarded decrement, order, item, outbox row, completed key) from one process over a pool, no HTTP.",
    "",
    "CPU per order: user + system time of every process of the stack (services, nginx, MariaDB, Redis, Kafka; the last three are shared with anything else running) over the load phase, per created order. The bench's own process (load generator, and the SMTP server the notifier sends every email to, which accepts each message without parsing it) runs on the same cores and is listed apart. Round trips per order: the database server's `Questions` + `Com_stmt_prepare` and Redis's `total_commands_processed` over the phase, per created order; like the CPU, they include what the stack does for an order after answering it (relay, consumers, deliveries) and its idle polling.",
    "",
    "| concurrency | gateway orders/s | p50 | p90 | p99 | non-201 | CPU ms/order | DB / Redis round trips per order | raw SQL orders/s | raw p50 | raw p99 | raw DB round trips per order | gateway / raw |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...placement.map((p, i) => {
      const r = raw[i]!;
      const other =
        Object.entries(p.otherStatuses)
          .map(([code, n]) => `${n}×${code}`)
          .join(", ") || "0";
      return `| ${p.concurrency} | ${p.perSecond} | ${ms(p.p50)} | ${ms(p.p90)} | ${ms(p.p99)} | ${other}${p.errors ? `, ${p.errors} errors` : ""} | ${p.cpuMsPerOrder} | ${p.roundTripsPerOrder.database} / ${p.roundTripsPerOrder.redis} | ${r.perSecond} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.roundTripsPerOrder.database} | ${ratio(p.perSecond, r.perSecond)} |`;
    }),
    "",
    ...placement.map(
      (p) =>
        `- CPU ms per order at c=${p.concurrency} by process: ${cpuByProcess(p)}; outside the stack, the bench's own process ${p.benchCpuMsPerOrder} (load generator and mail server; ${p.emailsAccepted} emails accepted over the phase).`,
    ),
    answerPathLine(answerPath, raw[CONCURRENCIES.indexOf(ANSWER_PATH_CONCURRENCY)]!),
    "",
    "## Hot product: 100 concurrent buyers, 50 units (5 rounds)",
    "",
    "| round | created | OUT_OF_STOCK | other | stock after | sell-out time | version-conflict retries |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...hot.map(
      (h, i) =>
        `| ${i + 1} | ${h.created} | ${h.outOfStock} | ${h.other} | ${h.finalStock} | ${ms(h.sellOutMs)} | ${h.conflictRetries} |`,
    ),
    `| median | ${median(hot.map((h) => h.created))} | ${median(hot.map((h) => h.outOfStock))} | | | ${ms(median(hot.map((h) => h.sellOutMs)))} | ${median(hot.map((h) => h.conflictRetries))} |`,
    "",
    "## Event pipeline vs Kafka's own tools on the same broker",
    "",
    "| what | events/s | Kafka tool | tool events/s | ratio |",
    "|---|---:|---|---:|---:|",
    `| outbox relay, ${EVENTS} READY rows → PUBLISHED, 1 replica, default settings (batch 50, growing to 400 with the backlog) | ${relay1.eventsPerSecond} | kafka-producer-perf-test, ${EVENTS} × ${recordSize} B, acks=all, idempotent | ${producerPerf.perSecond} | ${ratio(relay1.eventsPerSecond, producerPerf.perSecond)} |`,
    `| outbox relay, same backlog, 2 replicas | ${relay2.eventsPerSecond} | (same) | ${producerPerf.perSecond} | ${ratio(relay2.eventsPerSecond, producerPerf.perSecond)} |`,
    `| outbox relay, same backlog, 1 replica, starting at batch 200 | ${relayBig.eventsPerSecond} | (same) | ${producerPerf.perSecond} | ${ratio(relayBig.eventsPerSecond, producerPerf.perSecond)} |`,
    `| notifier, ${EVENTS} messages → notification rows (steady, first to last row) | ${notifier.steadyPerSecond} | kafka-consumer-perf-test (fetch.nMsg.sec) | ${consumerPerf.fetchPerSecond} | ${ratio(notifier.steadyPerSecond, consumerPerf.fetchPerSecond)} |`,
    `| notifier, including start and group join | ${notifier.perSecond} | kafka-consumer-perf-test (nMsg.sec, with rebalance) | ${consumerPerf.perSecond} | ${ratio(notifier.perSecond, consumerPerf.perSecond)} |`,
    `| notifier (steady) vs the same rows inserted ${500} at a time from one process | ${notifier.steadyPerSecond} | (raw SQL, no Kafka) | ${notifierRaw.perSecond} | ${ratio(notifier.steadyPerSecond, notifierRaw.perSecond)} |`,
    "",
    "## Steady load through the gateway: placement latency and order commit → notification row",
    "",
    "Open-loop arrivals at a fixed rate (each order leaves on schedule whatever the earlier ones do); latency as the client saw it.",
    "",
    "| rate | orders | placement p50 | placement p99 | lag p50 | lag p99 | lag max |",
    "|---|---:|---:|---:|---:|---:|---:|",
    steadyRow(`${lag.perSecond} orders/s`, lag),
    steadyRow(`${halfPeak.perSecond} orders/s (half of the peak)`, halfPeak),
    "",
  ];
  const markdown = lines.join("\n");
  mkdirSync(path.join(REPO, "bench/results"), { recursive: true });
  const file = path.join(REPO, "bench/results", `${date}.md`);
  writeFileSync(file, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`written to ${path.relative(REPO, file)}`);
  const hotSellOutMs = median(hot.map((h) => h.sellOutMs));
  const json = writeLatestJson(
    path.join(REPO, "bench/results"),
    benchResults({
      date,
      machine: { cores: info.cores, memoryGiB: info.memoryGiB },
      placement: placement.map((p, i) => ({
        concurrency: p.concurrency,
        gatewayPerSecond: p.perSecond,
        rawPerSecond: raw[i]!.perSecond,
        p50Ms: p.p50,
        p99Ms: p.p99,
        cpuMsPerOrder: p.cpuMsPerOrder,
      })),
      relay: {
        defaultEventsPerSecond: relay1.eventsPerSecond,
        toolEventsPerSecond: producerPerf.perSecond,
      },
      notifier: {
        eventsPerSecond: notifier.steadyPerSecond,
        toolEventsPerSecond: consumerPerf.fetchPerSecond,
        rawLimitPerSecond: notifierRaw.perSecond,
      },
      // Buyers answered per second: the contended product against one product per buyer.
      hotProduct: {
        created: median(hot.map((h) => h.created)),
        sellOutPerSecond: round((1000 * BUYERS) / hotSellOutMs, 1),
        uncontendedPerSecond: spread.perSecond,
      },
      lag: { p50Ms: lag.p50, p99Ms: lag.p99 },
    }),
  );
  log(`written to ${path.relative(REPO, json)}`);
}

/** "order 4.2, catalog 3.9, ...": a phase's CPU per order by process, largest first. */
function cpuByProcess(p: PlacementRun): string {
  return Object.entries(p.cpuMsPerOrderBy)
    .map(([name, v]) => `${name} ${v}`)
    .join(", ");
}

/** The answer path alone beside its raw figure: how much of the gap the work after an answer makes. */
function answerPathLine(a: PlacementRun, raw: RawResult): string {
  return `- The answer path alone at c=${a.concurrency}, with the outbox relay stopped so that nothing runs after an answer (no event, confirmation, notification or email; consumers and workers only poll): ${a.perSecond} orders/s (p50 ${round(a.p50, 1)} ms, p99 ${round(a.p99, 1)} ms), ${ratio(a.perSecond, raw.perSecond)} of raw, CPU ${a.cpuMsPerOrder} ms per order (${cpuByProcess(a)}), ${a.roundTripsPerOrder.database} / ${a.roundTripsPerOrder.redis} DB / Redis round trips per order. A diagnostic, not a configuration anyone runs.`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
