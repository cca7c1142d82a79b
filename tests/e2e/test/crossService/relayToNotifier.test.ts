import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import type { Pool } from "@app/shared";
import {
  createTestDatabase,
  startTestIssuer,
  testServers,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestIssuer,
} from "@app/shared/testing";
import { CATALOG_MIGRATIONS_DIR, loadCatalogConfig, startCatalog } from "@app/catalog/src/main";
import {
  loadNotifierConfig,
  NOTIFIER_MIGRATIONS_DIR,
  startNotifier,
  type RunningNotifier,
} from "@app/notifier/src/main";
import { loadOrderConfig, startOrder } from "@app/order/src/main";
import { startRelay, type RunningRelay } from "@app/outbox-relay/src/main";
import {
  anOrderDatabase,
  anOrderEvent,
  deleteTopics,
  insertOutbox,
  metricValue,
  outboxRows,
  relayConfig,
} from "@app/outbox-relay/test/support";

// The relay and the notifier together: what the relay publishes must end as exactly one notification.
const topic = uniqueName("pipeline_events");
let orders: { db: TestDatabase; sql: Pool };
let notifierDb: TestDatabase;
let issuer: TestIssuer;
let notifier: RunningNotifier;
const relays: RunningRelay[] = [];

beforeAll(async () => {
  orders = await anOrderDatabase();
  notifierDb = await createTestDatabase(NOTIFIER_MIGRATIONS_DIR, "pipeline_notifier");
  issuer = await startTestIssuer();
  notifier = await startNotifier(
    loadNotifierConfig({
      PORT: "0",
      LOG_LEVEL: "error",
      DATABASE_URL: notifierDb.url,
      MIGRATE_ON_START: "false",
      KAFKA_BROKERS: testServers().kafkaBrokers.join(","),
      ORDER_EVENTS_TOPIC: topic,
      KAFKA_GROUP_ID: uniqueName("notifier"),
      ...issuer.verifierEnv,
    }),
  );
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await notifier.close();
  await issuer.close();
  await orders.sql.end();
  await Promise.all([orders.db.drop(), notifierDb.drop()]);
  await deleteTopics(topic);
});

async function notificationsOf(userId: string) {
  const response = await fetch(`${notifier.url}/api/v1/notifications`, {
    headers: { authorization: `Bearer ${issuer.tokenFor({ userId })}` },
  });
  return (
    (await response.json()) as {
      items: { eventId: string; type: string; orderId: string; message: string }[];
    }
  ).items;
}

/** The catalog's and the order service's Redis keys of this test, and nothing else. */
async function deleteRedisKeys(prefixes: string[]): Promise<void> {
  const redis = new Redis(testServers().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

/** Runs the fixture relay until it has published and not yet marked, then kills it there. */
async function killRelayBetweenPublishAndMark(): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "fixtures/relayStoppingAfterPublish.ts")],
    {
      env: {
        ...process.env,
        PORT: "0",
        LOG_LEVEL: "error",
        DATABASE_URL: orders.db.url,
        ORDER_EVENTS_TOPIC: topic,
        RELAY_POLL_INTERVAL_MS: "20",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const lines = createInterface({ input: child.stdout! });
    const published = await new Promise<string[]>((resolve, reject) => {
      lines.on("line", (line) => {
        if (line.startsWith("PUBLISHED ")) resolve(line.slice("PUBLISHED ".length).split(","));
      });
      child.once("exit", (code) => reject(new Error(`relay exited early with ${code}`)));
    });
    return published;
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

describe("relay and notifier together", () => {
  it("publishes again when the relay is killed after publishing and before marking, and the notifier still stores one notification", async () => {
    const userId = randomUUID();
    const event = anOrderEvent({ userId });
    await insertOutbox(orders.sql, [event]);

    const published = await killRelayBetweenPublishAndMark();
    expect(published).toEqual([event.eventId]);
    // The kill rolled the claim back: the row is still waiting, no attempt spent.
    await waitFor(
      async () =>
        (await outboxRows(orders.sql)).find(
          (r) => r.event_id === event.eventId && r.status === "READY" && r.attempts === 0,
        ),
      {
        what: "row back to READY",
      },
    );
    await waitFor(async () => (await notificationsOf(userId)).length === 1, {
      what: "the first delivery stored",
      timeoutMs: 30_000,
    });
    const duplicatesBefore = await metricValue(notifier.url, "notifier_duplicate_events_total");

    relays.push(await startRelay(relayConfig(orders.db.url, topic)));
    await waitFor(
      async () =>
        (await outboxRows(orders.sql)).find(
          (r) => r.event_id === event.eventId && r.status === "PUBLISHED",
        ),
      {
        what: "PUBLISHED by the new relay",
        timeoutMs: 30_000,
      },
    );
    await waitFor(
      async () =>
        (await metricValue(notifier.url, "notifier_duplicate_events_total")) ===
        duplicatesBefore + 1,
      {
        what: "the second delivery seen as a duplicate",
        timeoutMs: 30_000,
      },
    );
    expect(await notificationsOf(userId)).toEqual([
      expect.objectContaining({ eventId: event.eventId, type: "ORDER_CREATED" }),
    ]);
  });
});

describe("an order placed through the order service", () => {
  it("shows up as the buyer's ORDER_CREATED notification", async () => {
    const servers = testServers();
    const catalogDb = await createTestDatabase(CATALOG_MIGRATIONS_DIR, "pipeline_catalog");
    const prefixes = [`${uniqueName("catalog")}:`, `${uniqueName("order")}:`];
    const common = {
      PORT: "0",
      LOG_LEVEL: "error",
      MIGRATE_ON_START: "false",
      REDIS_URL: servers.redisUrl,
      INTERNAL_TOKENS: "pipeline-token",
      ...issuer.verifierEnv,
    };
    const catalog = await startCatalog(
      loadCatalogConfig({
        ...common,
        DATABASE_URL: catalogDb.url,
        REDIS_KEY_PREFIX: prefixes[0],
        RESERVATION_CONSUMER_ENABLED: "false",
        SWEEPER_ENABLED: "false",
      }),
    );
    const order = await startOrder(
      loadOrderConfig({
        ...common,
        DATABASE_URL: orders.db.url,
        REDIS_KEY_PREFIX: prefixes[1],
        CATALOG_URL: catalog.url,
        CATALOG_TOKEN: "pipeline-token",
        RECOVERY_ENABLED: "false",
      }),
    );
    if (!relays.length) relays.push(await startRelay(relayConfig(orders.db.url, topic)));
    try {
      const admin = issuer.tokenFor({ role: "ADMIN" });
      const product = await fetch(`${catalog.url}/api/v1/products`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({
          sku: `SKU-${randomUUID().slice(0, 8)}`,
          name: "Blue mug",
          price: 1299,
          currency: "EUR",
          initialQuantity: 5,
        }),
      });
      expect(product.status).toBe(201);
      const productId = ((await product.json()) as { id: string }).id;

      const userId = randomUUID();
      const placed = await fetch(`${order.url}/api/v1/orders`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${issuer.tokenFor({ userId })}`,
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
        },
        body: JSON.stringify({ items: [{ productId, quantity: 2 }] }),
      });
      expect(placed.status).toBe(201);
      const orderId = ((await placed.json()) as { id: string }).id;

      const [notification] = await waitFor(
        async () => {
          const items = await notificationsOf(userId);
          return items.length ? items : undefined;
        },
        { what: "the order's notification", timeoutMs: 30_000 },
      );
      expect(notification).toMatchObject({
        type: "ORDER_CREATED",
        orderId,
        message: `Your order ${orderId.slice(0, 8)} was placed (total 25.98 EUR).`,
      });
    } finally {
      await order.close();
      await catalog.close();
      await catalogDb.drop();
      await deleteRedisKeys(prefixes);
    }
  });
});
