import { randomUUID } from "node:crypto";
import { createPool, type Pool } from "@app/shared";
import {
  call,
  createTestDatabase,
  startTestIssuer,
  testServers,
  uniqueName,
  type HttpResult,
  type TestDatabase,
  type TestIssuer,
} from "@app/shared/testing";
import {
  CATALOG_MIGRATIONS_DIR,
  loadCatalogConfig,
  startCatalog,
  type RunningCatalog,
} from "@app/catalog/src/main";
import { Redis } from "ioredis";
import {
  loadOrderConfig,
  ORDER_MIGRATIONS_DIR,
  startOrder,
  type OrderOptions,
  type RunningOrder,
} from "@app/order/src/main";
import {
  createProduct,
  startTcpProxy,
  type CreatedProduct,
  type ProductOverrides,
  type TcpProxy,
} from "@app/shared/testing";

export const SERVICE_TOKEN = "test-service-token";

export interface SystemOptions {
  orderEnv?: Record<string, string>;
  catalogEnv?: Record<string, string>;
  orderOptions?: OrderOptions;
  /** Routes the order service's database connections through a TCP proxy (`databaseLink`). */
  orderDatabaseLink?: boolean;
}

/** The real catalog and the order service in-process, each with its own database and Redis prefix. */
export interface TestSystem {
  order: RunningOrder;
  catalog: RunningCatalog;
  orderUrl: string;
  catalogUrl: string;
  /** Sits between the order service and the catalog; `down()` takes the catalog off the network. */
  catalogLink: TcpProxy;
  /** Between the order service and its database, when asked for (`orderDatabaseLink`). */
  databaseLink?: TcpProxy;
  issuer: TestIssuer;
  orderDb: TestDatabase;
  catalogDb: TestDatabase;
  /** A direct connection to the order database, for asserting what landed there. */
  sql: Pool;
  orderEnv: Record<string, string>;
  catalogEnv: Record<string, string>;
  adminToken: string;
  tokenFor(userId: string, role?: "CUSTOMER" | "ADMIN"): string;
  /** A new customer id and a token signed for it. */
  aCustomer(): { userId: string; token: string };
  /** Creates a product through the catalog's admin API, the way real products come to exist. */
  aProduct(overrides?: ProductOverrides): Promise<CreatedProduct>;
  /** Available stock as the catalog's public API reports it. */
  availableOf(productId: string): Promise<number>;
  /** A product in stock, a customer, a fresh Idempotency-Key and a body ordering `quantity` of it. */
  anOrderRequest(options?: {
    product?: ProductOverrides;
    quantity?: number;
  }): Promise<OrderRequest>;
  placeOrder(token: string, key: string | undefined, body: unknown): Promise<HttpResult>;
  countRows(table: OrderTable, where?: string, params?: unknown[]): Promise<number>;
  restartOrder(overrides?: Record<string, string>, options?: OrderOptions): Promise<void>;
  close(): Promise<void>;
}

export async function startSystem(options: SystemOptions = {}): Promise<TestSystem> {
  const servers = testServers();
  const issuer = await startTestIssuer();
  const [orderDb, catalogDb] = await Promise.all([
    createTestDatabase(ORDER_MIGRATIONS_DIR, "orders"),
    createTestDatabase(CATALOG_MIGRATIONS_DIR, "catalog"),
  ]);
  const catalogEnv: Record<string, string> = {
    PORT: "0",
    LOG_LEVEL: "error",
    DATABASE_URL: catalogDb.url,
    MIGRATE_ON_START: "false",
    REDIS_URL: servers.redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("catalog")}:`,
    KAFKA_BROKERS: servers.kafkaBrokers.join(","),
    RESERVATION_CONSUMER_ENABLED: "false",
    SWEEPER_ENABLED: "false",
    INTERNAL_TOKENS: SERVICE_TOKEN,
    ORDER_TOKEN: SERVICE_TOKEN,
    RESERVATION_MAX_ATTEMPTS: "50",
    ...issuer.verifierEnv,
    ...options.catalogEnv,
  };
  const catalog = await startCatalog(loadCatalogConfig(catalogEnv));
  const catalogLink = await startTcpProxy({ host: "127.0.0.1", port: catalog.port });
  const databaseLink = options.orderDatabaseLink
    ? await startTcpProxy({ host: new URL(orderDb.url).hostname, port: databasePort(orderDb.url) })
    : undefined;
  const orderDatabaseUrl = new URL(orderDb.url);
  if (databaseLink) orderDatabaseUrl.port = String(databaseLink.port);
  const orderEnv: Record<string, string> = {
    PORT: "0",
    LOG_LEVEL: "error",
    DATABASE_URL: orderDatabaseUrl.toString(),
    MIGRATE_ON_START: "false",
    REDIS_URL: servers.redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("order")}:`,
    INTERNAL_TOKENS: SERVICE_TOKEN,
    CATALOG_URL: catalogLink.url,
    CATALOG_TOKEN: SERVICE_TOKEN,
    RECOVERY_INTERVAL_MS: "60000",
    ...issuer.verifierEnv,
    ...options.orderEnv,
  };
  let order = await startOrder(loadOrderConfig(orderEnv), options.orderOptions);
  const sql = createPool(orderDb.url, { connectionLimit: 3 });
  const system: TestSystem = {
    order,
    catalog,
    orderUrl: order.url,
    catalogUrl: catalog.url,
    catalogLink,
    databaseLink,
    issuer,
    orderDb,
    catalogDb,
    sql,
    orderEnv,
    catalogEnv,
    adminToken: issuer.tokenFor({ userId: randomUUID(), role: "ADMIN" }),
    tokenFor: (userId, role = "CUSTOMER") => issuer.tokenFor({ userId, role }),
    aCustomer() {
      const userId = randomUUID();
      return { userId, token: system.tokenFor(userId) };
    },
    aProduct: (overrides) => createProduct(system.catalogUrl, system.adminToken, overrides),
    availableOf: (productId) => availableOf(system, productId),
    async anOrderRequest({ product: overrides, quantity = 1 } = {}) {
      const product = await system.aProduct(overrides);
      const { userId, token } = system.aCustomer();
      const body = { items: [{ productId: product.id, quantity }] };
      return { product, userId, token, key: randomUUID(), body };
    },
    placeOrder: (token, key, body) => placeOrder(system, token, key, body),
    countRows: (table, where, params) => countRows(system, table, where, params),
    async restartOrder(overrides = {}, orderOptions) {
      await order.close();
      order = await startOrder(loadOrderConfig({ ...orderEnv, ...overrides }), orderOptions);
      Object.assign(system, { order, orderUrl: order.url });
    },
    async close() {
      await order.close();
      await catalog.close();
      await catalogLink.close();
      await databaseLink?.close();
      await sql.end();
      await issuer.close();
      await deleteRedisKeys(orderEnv.REDIS_KEY_PREFIX!);
      await deleteRedisKeys(catalogEnv.REDIS_KEY_PREFIX!);
      await Promise.all([orderDb.drop(), catalogDb.drop()]);
    },
  };
  return system;
}

function databasePort(url: string): number {
  return Number(new URL(url).port || 3306);
}

/** Deletes every key under a prefix: "flushing Redis" for one service without touching other tests. */
/** Forwards to what `started()` returns once a hook has started it: read it in tests, not at load time. */
export function startedLater<T extends object>(started: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, field) {
      const value = started();
      if (!value) throw new Error(`${what} is started in beforeAll: read it from a test`);
      return Reflect.get(value, field);
    },
  });
}

/** The system for one test file: started before its tests, closed after them. */
export function systemForFile(options: SystemOptions = {}): TestSystem {
  let system: TestSystem | undefined;
  beforeAll(async () => {
    system = await startSystem(options);
  });
  afterAll(async () => {
    await system?.close();
  });
  return startedLater(() => system, "the system");
}

export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(testServers().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

interface OrderRequest {
  product: CreatedProduct;
  userId: string;
  token: string;
  key: string;
  body: { items: { productId: string; quantity: number }[] };
}
type OrderTable = "orders" | "order_items" | "outbox_events" | "idempotency_keys";

async function availableOf(s: TestSystem, productId: string): Promise<number> {
  const response = await call(s.catalogUrl, "GET", `/api/v1/products/${productId}`);
  if (response.status !== 200) throw new Error(`product read failed: ${response.status}`);
  return response.body.availableQuantity as number;
}

function placeOrder(
  s: TestSystem,
  token: string,
  key: string | undefined,
  body: unknown,
): Promise<HttpResult> {
  return call(s.orderUrl, "POST", "/api/v1/orders", {
    token,
    body,
    headers: key === undefined ? {} : { "idempotency-key": key },
  });
}

async function countRows(
  s: TestSystem,
  table: OrderTable,
  where = "1 = 1",
  params: unknown[] = [],
): Promise<number> {
  const rows: { n: number }[] = await s.sql.query(
    `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`,
    params,
  );
  return Number(rows[0]!.n);
}

export { call };
