// Commit-to-notification lag: outbox rows committed one by one at a steady rate while the relay
// (polling, default interval) and the notifier run; lag = notification row's created_at minus
// the moment the outbox insert committed.
//   npx tsx bench/inProcessLag.ts [events=300] [perSecond=50]
import { createPool } from "@app/shared";
import { createTestDatabase, startTestIssuer, uniqueName, waitFor } from "@app/shared/testing";
import { loadNotifierConfig, NOTIFIER_MIGRATIONS_DIR, startNotifier } from "@app/notifier/src/main";
import { loadRelayConfig, startRelay } from "@app/outbox-relay/src/main";
import {
  anOrderDatabase,
  deleteTopics,
  env,
  insertOutbox,
  orderCreated,
} from "../services/outbox-relay/scripts/common";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  const [events = 300, perSecond = 50] = process.argv.slice(2).map(Number);
  const { db, sql } = await anOrderDatabase("measure_lag");
  const notifierDb = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "measure_notifier");
  const notifierSql = createPool(notifierDb.url, { connectionLimit: 2 });
  const issuer = await startTestIssuer();
  const topic = uniqueName("measure_lag");
  const common = {
    PORT: "0",
    LOG_LEVEL: "error",
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    ORDER_EVENTS_TOPIC: topic,
  };
  const relay = await startRelay(loadRelayConfig({ ...common, DATABASE_URL: db.url }));
  const notifier = await startNotifier(
    loadNotifierConfig({
      ...common,
      DATABASE_URL: notifierDb.url,
      MIGRATE_ON_START: "false",
      KAFKA_GROUP_ID: uniqueName("measure"),
      ...issuer.verifierEnv,
    }),
  );
  try {
    // Warm-up: the consumer group join and the first metadata fetches are not steady state.
    const warm = orderCreated();
    await insertOutbox(sql, [warm]);
    await waitFor(
      async () =>
        (
          (await notifierSql.query("SELECT 1 FROM notifications WHERE event_id = ?", [
            warm.eventId,
          ])) as unknown[]
        ).length > 0,
      { timeoutMs: 60_000 },
    );

    const committedAt = new Map<string, number>();
    for (let i = 0; i < events; i++) {
      const event = orderCreated();
      await insertOutbox(sql, [event]);
      committedAt.set(event.eventId, Date.now());
      await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
    }
    const ids = [...committedAt.keys()];
    await waitFor(
      async () =>
        Number(
          (
            (await notifierSql.query(
              "SELECT COUNT(*) AS n FROM notifications WHERE event_id IN (?)",
              [ids],
            )) as { n: number }[]
          )[0]!.n,
        ) === events,
      { timeoutMs: 120_000, what: "all notifications" },
    );
    const rows: { event_id: string; created_at: Date }[] = await notifierSql.query(
      "SELECT event_id, created_at FROM notifications WHERE event_id IN (?)",
      [ids],
    );
    const lags = rows
      .map((r) => r.created_at.getTime() - committedAt.get(r.event_id)!)
      .sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({ events, perSecond, lagMs: { p50: percentile(lags, 50), p95: percentile(lags, 95), p99: percentile(lags, 99), max: lags[lags.length - 1] } })}\n`,
    );
  } finally {
    await relay.close();
    await notifier.close();
    await issuer.close();
    await sql.end();
    await notifierSql.end();
    await db.drop();
    await notifierDb.drop();
    await deleteTopics(topic);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
