// Measure-and-choose: the reservation's guarded decrement (`... WHERE quantity >= ?`, the service's
// path since it won this comparison) versus the version-checked update with jittered retries it
// replaced, both as full reservation transactions against one hot product on the real database.
//
//   cd services/catalog && DATABASE_URL=mysql://root@127.0.0.1:3306/test npx tsx scripts/bench-hot-product.ts
//   env: BENCH_CONCURRENCY (100), BENCH_UNITS (50), BENCH_ROUNDS (5), BENCH_POOL (10), BENCH_MAX_ATTEMPTS (10)
import { randomUUID } from "node:crypto";
import {
  createLogger,
  createPool,
  jitteredBackoffMs,
  runMigrations,
  withDatabase,
  type Pool,
} from "@app/shared";
import { dropDatabase } from "@app/shared/testing";
import { reserveStock, type ReserveResult } from "../src/application/reserveStock";
import type { CatalogMetrics, ProductCache } from "../src/application/ports";
import { CATALOG_MIGRATIONS_DIR } from "../src/main";
import { MariaDbReservationStore } from "../src/infrastructure/mariadbReservationStore";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONCURRENCY = num("BENCH_CONCURRENCY", 100);
const UNITS = num("BENCH_UNITS", 50);
const ROUNDS = num("BENCH_ROUNDS", 5);
const POOL = num("BENCH_POOL", 10);
const MAX_ATTEMPTS = num("BENCH_MAX_ATTEMPTS", 10);

type Outcome = "reserved" | "out_of_stock" | "contention" | "other";

interface Sample {
  outcome: Outcome;
  ms: number;
}

const noCache: ProductCache = {
  product: (_id, load) => load(),
  firstPage: (_l, load) => load(),
  invalidate: async () => undefined,
};

async function seedHotProduct(pool: Pool): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await pool.query(
    "INSERT INTO products (id, sku, name, description, price, currency, created_at, updated_at) VALUES (?, ?, 'Hot', NULL, 999, 'EUR', ?, ?)",
    [id, `HOT-${id.slice(0, 8)}`, now, now],
  );
  await pool.query(
    "INSERT INTO stocks (product_id, quantity, version, updated_at) VALUES (?, ?, 0, ?)",
    [id, UNITS, now],
  );
  return id;
}

/** The service's path: reserveStock with its guarded decrement (retries only on lock errors). */
function servicePath(pool: Pool, counters: { retries: number }) {
  const store = new MariaDbReservationStore(pool);
  const metrics: CatalogMetrics = {
    reservation: () => undefined,
    versionConflictRetry: () => counters.retries++,
    settled: () => undefined,
  };
  const deps = {
    reservations: store,
    cache: noCache,
    metrics,
    clock: { now: () => new Date() },
    logger: createLogger({ service: "bench", silent: true }),
  };
  const settings = {
    ttlSeconds: 900,
    maxAttempts: MAX_ATTEMPTS,
    backoffBaseMs: 5,
    backoffMaxMs: 100,
  };
  return async (productId: string): Promise<Outcome> => {
    const result: ReserveResult = await reserveStock(
      { ...deps, settings },
      {
        reservationId: randomUUID(),
        items: [{ productId, quantity: 1 }],
      },
    );
    return result.kind === "reserved" ||
      result.kind === "out_of_stock" ||
      result.kind === "contention"
      ? result.kind
      : "other";
  };
}

// The former reservation statement: takes units only if nobody changed the row since it was read.
const DECREMENT_IF_VERSION =
  "UPDATE stocks SET quantity = quantity - ?, version = version + 1, updated_at = ? WHERE product_id = ? AND version = ? AND quantity >= ?";

/** The former form: read the version, update only that version, retry the whole transaction. */
function versionCheckedRetries(pool: Pool, counters: { retries: number }) {
  const attemptOnce = async (productId: string): Promise<Outcome | "conflict"> => {
    const conn = await pool.getConnection();
    const now = new Date();
    const reservationId = randomUUID();
    try {
      await conn.beginTransaction();
      await conn.query(
        "INSERT INTO reservations (id, status, expires_at, created_at, updated_at) VALUES (?, 'RESERVED', ?, ?, ?)",
        [reservationId, new Date(now.getTime() + 900_000), now, now],
      );
      const [row]: {
        sku: string;
        name: string;
        price: number;
        currency: string;
        quantity: number;
        version: number;
      }[] = await conn.query(
        "SELECT p.sku, p.name, p.price, p.currency, s.quantity, s.version FROM products p JOIN stocks s ON s.product_id = p.id WHERE p.id = ?",
        [productId],
      );
      if (row!.quantity < 1) {
        await conn.rollback();
        return "out_of_stock";
      }
      const updated: { affectedRows: number } = await conn.query(DECREMENT_IF_VERSION, [
        1,
        now,
        productId,
        row!.version,
        1,
      ]);
      if (updated.affectedRows !== 1) {
        await conn.rollback();
        return "conflict";
      }
      await conn.query(
        "INSERT INTO reservation_items (reservation_id, product_id, quantity, unit_price, currency, sku, name) VALUES (?, ?, 1, ?, ?, ?, ?)",
        [reservationId, productId, row!.price, row!.currency, row!.sku, row!.name],
      );
      await conn.commit();
      return "reserved";
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      await conn.release();
    }
  };
  return async (productId: string): Promise<Outcome> => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = await attemptOnce(productId);
      if (outcome !== "conflict") return outcome;
      if (attempt < MAX_ATTEMPTS) {
        counters.retries++;
        await new Promise((r) => setTimeout(r, jitteredBackoffMs(attempt, 5, 100)));
      }
    }
    return "contention";
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function runRound(pool: Pool, reserveOne: (productId: string) => Promise<Outcome>) {
  const productId = await seedHotProduct(pool);
  const started = performance.now();
  const samples: Sample[] = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const t0 = performance.now();
      const outcome = await reserveOne(productId).catch(() => "other" as const);
      return { outcome, ms: performance.now() - t0 };
    }),
  );
  const wallMs = performance.now() - started;
  const rows: { quantity: number }[] = await pool.query(
    "SELECT quantity FROM stocks WHERE product_id = ?",
    [productId],
  );
  return { samples, wallMs, finalQuantity: rows[0]!.quantity };
}

async function bench(
  name: string,
  pool: Pool,
  make: () => { reserveOne: (id: string) => Promise<Outcome>; retries: () => number },
) {
  const all: Sample[] = [];
  let wall = 0;
  let retries = 0;
  const perRound: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { reserveOne, retries: retriesOf } = make();
    const r = await runRound(pool, reserveOne);
    all.push(...r.samples);
    wall += r.wallMs;
    retries += retriesOf();
    const reserved = r.samples.filter((s) => s.outcome === "reserved").length;
    perRound.push(
      `${reserved}/${UNITS}${r.finalQuantity < 0 ? " NEGATIVE!" : ""}${r.finalQuantity !== UNITS - reserved ? " MISMATCH!" : ""}`,
    );
  }
  const sorted = all.map((s) => s.ms).sort((a, b) => a - b);
  const count = (o: Outcome) => all.filter((s) => s.outcome === o).length;
  return {
    form: name,
    requests: all.length,
    reserved: count("reserved"),
    out_of_stock: count("out_of_stock"),
    gave_up: count("contention"),
    errors: count("other"),
    conflict_retries: retries,
    "req/s": Math.round(all.length / (wall / 1000)),
    "p50 ms": Math.round(percentile(sorted, 50) * 10) / 10,
    "p99 ms": Math.round(percentile(sorted, 99) * 10) / 10,
    "reserved per round": perRound.join(" "),
  };
}

async function main() {
  const base = process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/test";
  const url = withDatabase(base, `bench_catalog_${Date.now().toString(36)}`);
  await runMigrations({ databaseUrl: url, dir: CATALOG_MIGRATIONS_DIR });
  const pool = createPool(url, { connectionLimit: POOL });
  try {
    // One warm-up round each so connection set-up is not measured.
    await runRound(pool, servicePath(pool, { retries: 0 }));
    await runRound(pool, versionCheckedRetries(pool, { retries: 0 }));
    const results = [];
    for (const [name, form] of [
      ["guarded decrement (the service)", servicePath],
      ["version check + retries (former)", versionCheckedRetries],
    ] as const)
      results.push(
        await bench(name, pool, () => {
          const counters = { retries: 0 };
          return { reserveOne: form(pool, counters), retries: () => counters.retries };
        }),
      );
    console.log(
      `hot product: ${CONCURRENCY} concurrent 1-unit reservations against ${UNITS} units, ${ROUNDS} rounds, pool ${POOL}, max attempts ${MAX_ATTEMPTS}`,
    );
    console.table(results);
  } finally {
    await pool.end();
    await dropDatabase(url);
  }
}

void main();
