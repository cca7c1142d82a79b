import { createLogger } from "@app/shared";
import { startTestIssuer, testServers, uniqueName, type TestIssuer } from "@app/shared/testing";
import { loadOrderConfig, startOrder, type RunningOrder } from "@app/order/src/main";
import { runArchive } from "@app/archiver/src/main";
import {
  anOrder,
  insertOrders,
  manyOrders,
  type OrderWithItems,
} from "@app/archiver/test/factories";
import {
  capturedLogger,
  configFor,
  count,
  createArchiveDatabase,
  type ArchiveDatabase,
} from "@app/archiver/test/support";

let db: ArchiveDatabase;
let issuer: TestIssuer;
let order: RunningOrder;

beforeAll(async () => {
  db = await createArchiveDatabase();
  issuer = await startTestIssuer();
  order = await startOrder(
    loadOrderConfig({
      PORT: "0",
      DATABASE_URL: db.url,
      MIGRATE_ON_START: "false",
      REDIS_URL: testServers().redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName("archiver_order")}:`,
      ...issuer.verifierEnv,
      RECOVERY_ENABLED: "false",
    }),
    { logger: createLogger({ service: "order", level: "error" }) },
  );
});
afterAll(async () => {
  await order?.close();
  await issuer?.close();
  await db?.close();
});

function getOrder(id: string, token: string) {
  return fetch(`${order.url}/api/v1/orders/${id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** The contract's Order, as the order service must show the row the factory inserted. */
function asContractOrder({ order: o, items }: OrderWithItems) {
  return {
    id: o.id,
    userId: o.user_id,
    status: o.status,
    items: items.map((i) => ({
      productId: i.product_id,
      sku: i.sku,
      name: i.name,
      unitPrice: i.unit_price,
      quantity: i.quantity,
      lineTotal: i.line_total,
    })),
    totalAmount: o.total_amount,
    currency: o.currency,
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}

async function archivedIds(): Promise<string[]> {
  const rows: { id: string }[] = await db.pool.query("SELECT id FROM orders_archive");
  return rows.map((r) => r.id);
}

describe("reading archived orders through the order service", () => {
  it("returns an archived order, with its items, to its owner from GET /api/v1/orders/{id}", async () => {
    const userId = crypto.randomUUID();
    const old = anOrder({ userId, status: "COMPLETED", updatedDaysAgo: 45, items: 3 });
    await insertOrders(db.pool, [old]);

    await runArchive(configFor(db.url), { logger: capturedLogger().logger });

    expect(await archivedIds()).toContain(old.order.id);
    const response = await getOrder(old.order.id, issuer.tokenFor({ userId }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(asContractOrder(old));
  });

  it("shows an archived order to an ADMIN too", async () => {
    const old = anOrder({ status: "CANCELLED", updatedDaysAgo: 60, items: 1 });
    await insertOrders(db.pool, [old]);

    await runArchive(configFor(db.url), { logger: capturedLogger().logger });

    const response = await getOrder(old.order.id, issuer.tokenFor({ role: "ADMIN" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(asContractOrder(old));
  });

  it("answers 404 ORDER_NOT_FOUND to anyone else asking for an archived order", async () => {
    const old = anOrder({ status: "COMPLETED", updatedDaysAgo: 45 });
    await insertOrders(db.pool, [old]);

    await runArchive(configFor(db.url), { logger: capturedLogger().logger });

    const response = await getOrder(old.order.id, issuer.tokenFor({ userId: crypto.randomUUID() }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "ORDER_NOT_FOUND" });
  });

  it("finds every order while the archiver is moving them: each GET answers 200, before, during or after its chunk", async () => {
    const userId = crypto.randomUUID();
    const orders = manyOrders(200, { userId, status: "COMPLETED", updatedDaysAgo: 45, items: 2 });
    await insertOrders(db.pool, orders);
    const token = issuer.tokenFor({ userId });

    let running = true;
    const statuses: number[] = [];
    const reads = (async () => {
      // Sweep all ids again and again until the run has finished, then once more.
      for (let sweep = 0; running || sweep < 1; sweep++) {
        for (let i = 0; i < orders.length; i += 10) {
          const batch = orders
            .slice(i, i + 10)
            .map(async (o) => (await getOrder(o.order.id, token)).status);
          statuses.push(...(await Promise.all(batch)));
        }
        if (!running) break;
      }
    })();
    const outcome = await runArchive(
      configFor(db.url, { ARCHIVE_CHUNK_SIZE: "10", ARCHIVE_PAUSE_MS: "5" }),
      {
        logger: capturedLogger().logger,
      },
    );
    running = false;
    await reads;

    expect(outcome.archived).toBe(orders.length);
    expect(await count(db.pool, "orders")).toBe(0);
    expect(statuses.length).toBeGreaterThanOrEqual(orders.length);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
