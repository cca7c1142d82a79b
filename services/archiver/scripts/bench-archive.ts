// Measures one archiver run over 10,000 eligible orders (2 items each) at the default chunk size,
// and how long each chunk transaction held its row locks. Uses a scratch database it drops after.
// Usage: npx tsx scripts/bench-archive.ts   (BENCH_ORDERS, BENCH_DATABASE_URL, ARCHIVE_* to vary)
import path from "node:path";
import { createPool, runMigrations, withDatabase } from "@app/shared";
import { dropDatabase, uniqueName } from "@app/shared/testing";
import { loadArchiverConfig, runArchive } from "../src/main";
import { insertOrders, manyOrders } from "../test/factories";
import { capturedLogger } from "../test/support";

async function bench(): Promise<void> {
  const eligible = Number(process.env.BENCH_ORDERS ?? 10_000);
  const server = process.env.BENCH_DATABASE_URL ?? "mysql://root@127.0.0.1:3306/test";
  const url = withDatabase(server, uniqueName("bench_archive"));
  await runMigrations({ databaseUrl: url, dir: path.join(__dirname, "../../order/migrations") });
  const pool = createPool(url);
  try {
    await insertOrders(
      pool,
      manyOrders(eligible, { status: "COMPLETED", updatedDaysAgo: 60, items: 2 }),
    );
    // Live orders the run must step over: recent ones and old ones still CREATED.
    await insertOrders(
      pool,
      manyOrders(eligible / 5, { status: "COMPLETED", updatedDaysAgo: 2, items: 2 }),
    );
    await insertOrders(
      pool,
      manyOrders(eligible / 10, { status: "CREATED", updatedDaysAgo: 90, items: 2 }),
    );

    const { ARCHIVE_PAUSE_MS, ARCHIVE_CHUNK_SIZE } = process.env;
    const config = loadArchiverConfig({ DATABASE_URL: url, ARCHIVE_PAUSE_MS, ARCHIVE_CHUNK_SIZE });
    const captured = capturedLogger();
    const started = performance.now();
    const outcome = await runArchive(config, { logger: captured.logger });
    const wallMs = Math.round(performance.now() - started);

    const chunks = captured.lines().filter((l) => l.msg === "chunk archived");
    const pauses = chunks.filter((l) => l.candidates === config.ARCHIVE_CHUNK_SIZE).length;
    const lockHeld = chunks.map((l) => l.lockHeldMs as number).sort((a, b) => a - b);
    const pick = (q: number) =>
      lockHeld[Math.min(lockHeld.length - 1, Math.floor(q * lockHeld.length))];
    process.stdout.write(
      `${JSON.stringify({
        eligible,
        chunkSize: config.ARCHIVE_CHUNK_SIZE,
        pauseMs: config.ARCHIVE_PAUSE_MS,
        outcome,
        wallMs,
        wallMsWithoutPauses: wallMs - pauses * config.ARCHIVE_PAUSE_MS,
        chunkLockHeldMs: {
          min: lockHeld[0],
          p50: pick(0.5),
          p95: pick(0.95),
          max: lockHeld.at(-1),
          mean: Math.round((lockHeld.reduce((a, b) => a + b, 0) / lockHeld.length) * 10) / 10,
        },
      })}\n`,
    );
  } finally {
    await pool.end();
    await dropDatabase(url);
  }
}

void bench();
