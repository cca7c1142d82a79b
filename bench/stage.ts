// One stage of `npm run bench` on its own, for working on that stage without loading the machine
// with the whole run. Prints one JSON line.
//   npx tsx bench/stage.ts notifier   # the notifier vs kafka-consumer-perf-test and its raw limit
//   npx tsx bench/stage.ts relay      # the relay vs kafka-producer-perf-test
//   npx tsx bench/stage.ts placement  # orders through the gateway vs raw SQL, CPU per process
//     (BENCH_SECONDS, BENCH_CONCURRENCY=8,32; STACK_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
//     profiles every service)
//   npx tsx bench/stage.ts answer     # placement at c=8 through the whole stack, then with the
//     outbox relay stopped (the answer path alone, nothing after it), and raw SQL
//   npx tsx bench/stage.ts hot        # 100 buyers on one product of 50 units vs on 100 products
//   npx tsx bench/stage.ts lag        # placement latency and commit-to-notification lag at a
//     steady rate (BENCH_RATE orders/s, default 20; BENCH_SECONDS, default 15)
import os from "node:os";
import { createLogger, KafkaClient } from "@app/shared";
import { uniqueName } from "@app/shared/testing";
import { producerPerformance } from "./kafkaTools";
import { hotProductRound, spreadRound, type HotRound } from "./hotProduct";
import { commitToNotificationLag } from "./lag";
import {
  benchServers,
  measureAnswerPath,
  measurePlacement,
  placementThroughGateway,
  startBenchStack,
  warmUp,
} from "./placementStage";
import { rawPlacement } from "./rawPlacement";
import { median, round } from "./stats";
import { notifierFigures, relayThroughput, sampleEnvelope } from "./pipeline";

process.env.DATABASE_URL ??= "mysql://root@127.0.0.1:3306/bench";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
process.env.KAFKA_BROKERS ??= "127.0.0.1:9092";
const brokers = process.env.KAFKA_BROKERS.split(",");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);

async function main(stage: string | undefined) {
  const kafka = new KafkaClient({
    brokers,
    clientId: "bench",
    logger: createLogger({ service: "bench", silent: true }),
  });
  const load = () => os.loadavg().map((l) => l.toFixed(2));
  const before = load();
  let result: Record<string, unknown>;
  if (stage === "notifier") {
    result = await notifierFigures(kafka, brokers, EVENTS);
  } else if (stage === "relay") {
    const topic = uniqueName("bench_producer_perf");
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
    try {
      const relay = await relayThroughput(EVENTS, 1, 50);
      const tool = await producerPerformance(
        brokers.join(","),
        topic,
        EVENTS,
        JSON.stringify(sampleEnvelope()).length,
      );
      result = { relay, tool };
    } finally {
      await kafka.deleteTopics([topic]).catch(() => undefined);
    }
  } else if (stage === "placement") {
    const concurrencies = (process.env.BENCH_CONCURRENCY ?? "8,32").split(",").map(Number);
    const seconds = Number(process.env.BENCH_SECONDS ?? 10);
    const gateway = await placementThroughGateway(concurrencies, seconds);
    const raw = await rawPlacement(concurrencies, seconds, 100);
    result = {
      placement: gateway.map((g, i) => ({
        ...g,
        rawPerSecond: raw[i]!.perSecond,
        rawRoundTripsPerOrder: raw[i]!.roundTripsPerOrder,
        ratio: round(g.perSecond / raw[i]!.perSecond, 2),
      })),
    };
  } else if (stage === "answer") {
    const seconds = Number(process.env.BENCH_SECONDS ?? 10);
    const b = await startBenchStack(benchServers(), 20);
    let whole, answerPath;
    try {
      [whole] = await measurePlacement(b, [8], seconds);
      answerPath = await measureAnswerPath(b, 8, seconds);
    } finally {
      await b.e.stop();
    }
    const [raw] = await rawPlacement([8], seconds, 100);
    result = {
      whole: { ...whole, ratio: round(whole!.perSecond / raw!.perSecond, 2) },
      answerPath: { ...answerPath, ratio: round(answerPath.perSecond / raw!.perSecond, 2) },
      raw,
    };
  } else if (stage === "hot") {
    const b = await startBenchStack(benchServers(), 100);
    try {
      const catalog = b.e.stack.services.catalog!.url;
      // Alternated so that both see the same machine.
      const rounds: HotRound[] = [];
      const spreads: { perSecond: number }[] = [];
      for (let i = 0; i < 3; i++) {
        rounds.push(await hotProductRound(b.e.gateway, catalog, b.admin, b.tokens, 50));
        spreads.push(await spreadRound(b.e.gateway, b.admin, b.tokens));
      }
      const sellOutPerSecond = round(100_000 / median(rounds.map((r) => r.sellOutMs)), 1);
      const uncontendedPerSecond = median(spreads.map((s) => s.perSecond));
      result = {
        rounds,
        sellOutPerSecond,
        uncontendedPerSecond,
        ratio: round(sellOutPerSecond / uncontendedPerSecond, 2),
      };
    } finally {
      await b.e.stop();
    }
  } else if (stage === "lag") {
    const b = await startBenchStack(benchServers(), 1);
    try {
      await warmUp(b);
      // The warm-up's events drain first: in the full run this phase follows one that waited for
      // all its notifications, so it starts on a quiet pipeline.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      result = await commitToNotificationLag(
        b.e.gateway,
        b.tokens[0]!,
        b.products,
        Number(process.env.BENCH_RATE ?? 20),
        Number(process.env.BENCH_SECONDS ?? 15),
      );
    } finally {
      await b.e.stop();
    }
  } else {
    throw new Error(`usage: tsx bench/stage.ts notifier|relay|placement|hot|lag (got ${stage})`);
  }
  process.stdout.write(
    `${JSON.stringify({ stage, ...result, loadBefore: before, loadAfter: load() })}\n`,
  );
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
