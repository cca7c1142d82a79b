import { createPool, type Pool } from "@app/shared";
import {
  call,
  createProduct,
  createTestDatabase,
  startTestIssuer,
  testServers,
  uniqueName,
  type ProductOverrides,
  type TestDatabase,
  type TestIssuer,
} from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import {
  CATALOG_MIGRATIONS_DIR,
  loadCatalogConfig,
  startCatalog,
  type CatalogConfig,
  type RunningCatalog,
} from "../src/main";
import type { Clock } from "../src/application/ports";

export const INTERNAL_TOKEN = "test-internal-token";

export { call };

/** A clock tests can move forward (the sweeper compares expiry with it). */
export class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestCatalog {
  catalog: RunningCatalog;
  url: string;
  config: CatalogConfig;
  db: TestDatabase;
  /** A direct connection for asserting what landed in the database. */
  sql: Pool;
  issuer: TestIssuer;
  adminToken: string;
  customerToken: string;
  clock: MovableClock;
  restart(overrides?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export function catalogEnv(
  db: TestDatabase,
  issuer: TestIssuer,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const servers = testServers();
  return {
    PORT: "0",
    LOG_LEVEL: "error",
    DATABASE_URL: db.url,
    MIGRATE_ON_START: "false",
    REDIS_URL: servers.redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("catalog")}:`,
    KAFKA_BROKERS: servers.kafkaBrokers.join(","),
    RESERVATION_CONSUMER_ENABLED: "false",
    SWEEPER_ENABLED: "false",
    INTERNAL_TOKENS: INTERNAL_TOKEN,
    ...issuer.verifierEnv,
    ...overrides,
  };
}

/** The catalog in-process on a random port, with its own database and Redis prefix. */
export async function startTestCatalog(
  overrides: Record<string, string> = {},
): Promise<TestCatalog> {
  const db = await createTestDatabase(CATALOG_MIGRATIONS_DIR, "catalog");
  const issuer = await startTestIssuer();
  const clock = new MovableClock();
  const sql = createPool(db.url, { connectionLimit: 2 });
  let config = loadCatalogConfig(catalogEnv(db, issuer, overrides));
  let catalog = await startCatalog(config, { clock });
  const handle: TestCatalog = {
    catalog,
    url: catalog.url,
    config,
    db,
    sql,
    issuer,
    clock,
    adminToken: issuer.tokenFor({ role: "ADMIN" }),
    customerToken: issuer.tokenFor({ role: "CUSTOMER" }),
    async restart(more = {}) {
      await catalog.close();
      config = loadCatalogConfig({
        ...catalogEnv(db, issuer, overrides),
        REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
        ...more,
      });
      catalog = await startCatalog(config, { clock });
      Object.assign(handle, { catalog, url: catalog.url, config });
    },
    async close() {
      await catalog.close();
      await deleteRedisKeys(config.REDIS_KEY_PREFIX);
      await sql.end();
      await issuer.close();
      await db.drop();
    },
  };
  return handle;
}

/**
 * The catalog for one test file (or describe block): started before its tests, closed after them.
 * Read its fields in tests and hooks, not at load time.
 */
export function catalogForFile(overrides: Record<string, string> = {}): TestCatalog {
  let started: TestCatalog | undefined;
  beforeAll(async () => {
    started = await startTestCatalog(overrides);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as TestCatalog, {
    get(_target, field) {
      if (!started) throw new Error("the catalog is started in beforeAll: read it from a test");
      return Reflect.get(started, field);
    },
  });
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testServers().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Creates a product through the admin API, described as a 350 ml stoneware mug unless told otherwise. */
export function aProduct(t: TestCatalog, overrides: ProductOverrides = {}) {
  return createProduct(t.url, t.adminToken, {
    ...overrides,
    description: overrides.description ?? "350 ml, stoneware",
  });
}

export async function stockOf(
  t: TestCatalog,
  productId: string,
): Promise<{ quantity: number; version: number }> {
  const rows: { quantity: number; version: number }[] = await t.sql.query(
    "SELECT quantity, version FROM stocks WHERE product_id = ?",
    [productId],
  );
  if (!rows[0]) throw new Error(`no stock row for ${productId}`);
  return rows[0];
}

export async function reservationStatus(
  t: TestCatalog,
  reservationId: string,
): Promise<string | undefined> {
  const rows: { status: string }[] = await t.sql.query(
    "SELECT status FROM reservations WHERE id = ?",
    [reservationId],
  );
  return rows[0]?.status;
}

/** Reserves `quantity` of a product under a new reservation id; expects 201. */
export async function aReservation(t: TestCatalog, productId: string, quantity: number) {
  const reservationId: string = randomUUID();
  expect((await reserve(t, reservationId, [{ productId, quantity }])).status).toBe(201);
  return reservationId;
}

/** Available stock as the catalog's public (cached) read shows it. */
export async function availableOf(t: TestCatalog, productId: string): Promise<number> {
  return (await call(t.url, "GET", `/api/v1/products/${productId}`)).body.availableQuantity;
}

export function reserve(
  t: TestCatalog,
  reservationId: string,
  items: { productId: string; quantity: number }[],
  token = INTERNAL_TOKEN,
) {
  return call(t.url, "POST", "/internal/v1/reservations", {
    token,
    body: { reservationId, items },
  });
}
