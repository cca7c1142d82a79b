// Placement latency, client side, against the real catalog and order service in-process.
// Usage: npx tsx bench/inProcessPlacement.ts [orders=500] [concurrency=1]
// Needs DATABASE_URL, REDIS_URL (defaults: local MariaDB and Redis); creates and drops its own databases.
import { randomUUID } from "node:crypto";
import { createLogger } from "@app/shared";
import { createTestDatabase, startTestIssuer, uniqueName } from "@app/shared/testing";
import { CATALOG_MIGRATIONS_DIR, loadCatalogConfig, startCatalog } from "@app/catalog/src/main";
import { loadOrderConfig, ORDER_MIGRATIONS_DIR, startOrder } from "@app/order/src/main";

process.env.DATABASE_URL ??= "mysql://root@127.0.0.1:3306/test";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
process.env.KAFKA_BROKERS ??= "127.0.0.1:9092";

const total = Number(process.argv[2] ?? 500);
const concurrency = Number(process.argv[3] ?? 1);
const WARM_UP = 30;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const issuer = await startTestIssuer();
  const [orderDb, catalogDb] = await Promise.all([
    createTestDatabase(ORDER_MIGRATIONS_DIR, "orders_bench"),
    createTestDatabase(CATALOG_MIGRATIONS_DIR, "catalog_bench"),
  ]);
  const silent = (service: string) => createLogger({ service, silent: true });
  const catalog = await startCatalog(
    loadCatalogConfig({
      ...issuer.verifierEnv,
      PORT: "0",
      DATABASE_URL: catalogDb.url,
      MIGRATE_ON_START: "false",
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: `${uniqueName("bench_catalog")}:`,
      RESERVATION_CONSUMER_ENABLED: "false",
      SWEEPER_ENABLED: "false",
      INTERNAL_TOKENS: "bench",
    }),
    { logger: silent("catalog") },
  );
  const order = await startOrder(
    loadOrderConfig({
      ...issuer.verifierEnv,
      PORT: "0",
      DATABASE_URL: orderDb.url,
      MIGRATE_ON_START: "false",
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: `${uniqueName("bench_order")}:`,
      CATALOG_URL: catalog.url,
      CATALOG_TOKEN: "bench",
      RECOVERY_ENABLED: "false",
    }),
    { logger: silent("order") },
  );
  try {
    const admin = issuer.tokenFor({ role: "ADMIN" });
    const created = await fetch(`${catalog.url}/api/v1/products`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        sku: `BENCH-${randomUUID().slice(0, 8)}`,
        name: "Bench mug",
        price: 1299,
        currency: "EUR",
        initialQuantity: 1_000_000,
      }),
    });
    const product = (await created.json()) as { id: string };
    const place = async () => {
      const token = issuer.tokenFor({ userId: randomUUID() });
      const started = performance.now();
      const response = await fetch(`${order.url}/api/v1/orders`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          "idempotency-key": randomUUID(),
        },
        body: JSON.stringify({ items: [{ productId: product.id, quantity: 1 }] }),
      });
      await response.text();
      if (response.status !== 201) throw new Error(`placement answered ${response.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < WARM_UP; i++) await place();
    const samples: number[] = [];
    const wallStart = performance.now();
    let issued = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < total) {
          issued++;
          samples.push(await place());
        }
      }),
    );
    const wallSeconds = (performance.now() - wallStart) / 1000;
    samples.sort((a, b) => a - b);
    const summary = {
      orders: samples.length,
      concurrency,
      p50Ms: Number(percentile(samples, 50).toFixed(1)),
      p90Ms: Number(percentile(samples, 90).toFixed(1)),
      p99Ms: Number(percentile(samples, 99).toFixed(1)),
      maxMs: Number(samples[samples.length - 1]!.toFixed(1)),
      ordersPerSecond: Number((samples.length / wallSeconds).toFixed(1)),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await order.close();
    await catalog.close();
    await issuer.close();
    await Promise.all([orderDb.drop(), catalogDb.drop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
