// Relay throughput: N ready rows in the outbox, R relay replicas started together, time until
// every row is PUBLISHED (Kafka acknowledged with acks=-1). batchSize is RELAY_BATCH_SIZE, where
// the loop starts; it grows up to RELAY_BATCH_SIZE_MAX (default) while the backlog lasts.
//   npx tsx scripts/measure-throughput.ts [rows=10000] [replicas=1] [batchSize=50]
import { uniqueName } from "@app/shared/testing";
import { loadRelayConfig, startRelay } from "../src/main";
import { anOrderDatabase, deleteTopics, env, insertOutbox, orderCreated } from "./common";

async function main() {
  const [rows = 10_000, replicas = 1, batchSize = 50] = process.argv.slice(2).map(Number);
  const { db, sql } = await anOrderDatabase("measure_relay");
  const topic = uniqueName("measure_throughput");
  try {
    for (let i = 0; i < rows; i += 1000)
      await insertOutbox(
        sql,
        Array.from({ length: Math.min(1000, rows - i) }, () => orderCreated()),
      );
    const config = loadRelayConfig({
      PORT: "0",
      LOG_LEVEL: "error",
      DATABASE_URL: db.url,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      ORDER_EVENTS_TOPIC: topic,
      RELAY_BATCH_SIZE: String(batchSize),
      RELAY_BATCH_SIZE_MAX: process.env.RELAY_BATCH_SIZE_MAX,
    });
    // The relays' own loops, as they run in production (adaptive batch size included); the
    // clock starts once they are connected, so the figure is publishing, not topic creation.
    const relays = await Promise.all(Array.from({ length: replicas }, () => startRelay(config)));
    const count = async () =>
      Number(
        (
          (await sql.query(
            "SELECT COUNT(*) AS n FROM outbox_events WHERE status = 'PUBLISHED'",
          )) as { n: number }[]
        )[0]!.n,
      );
    const alreadyDone = await count();
    const started = performance.now();
    let published = alreadyDone;
    while (published < rows) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      published = await count();
    }
    const seconds = (performance.now() - started) / 1000;
    published -= alreadyDone;
    process.stdout.write(
      `${JSON.stringify({ rows, replicas, batchSize, warmup: alreadyDone, published, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(published / seconds) })}\n`,
    );
    await Promise.all(relays.map((r) => r.close()));
  } finally {
    await sql.end();
    await db.drop();
    await deleteTopics(topic);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
