import { randomUUID } from "node:crypto";
import { KafkaClient } from "@app/shared";
import { testServers, uniqueName, type CreatedProduct, type HttpResult } from "@app/shared/testing";
import { startOutboxCopier, type OutboxCopier } from "./outboxCopier";
import { call, startSystem, startedLater, type TestSystem } from "./system";

/** One test file's system whose catalog consumes the order events, and what its tests do to orders. */
export interface LifecycleFile {
  system: TestSystem;
  /** Places an order of `quantity` units of a new product holding `productQuantity`. */
  anOrder(
    token: string,
    quantity?: number,
    productQuantity?: number,
  ): Promise<{ product: CreatedProduct; order: HttpResult["body"] }>;
  /** The catalog's catalog_events_total for one outcome and event type. */
  catalogEventCount(outcome: string, eventType: string): Promise<number>;
  /** What an archiver chunk does: copy orders and items to the archive tables, delete the live rows. */
  archive(...orderIds: string[]): Promise<void>;
}

/**
 * Starts the system before the file's tests and stops it after: the catalog consumes the order
 * events for real (confirm on ORDER_CREATED, release on ORDER_CANCELLED) from a topic of its own
 * that an outbox copier fills.
 */
export function lifecycleSystemForFile(): LifecycleFile {
  const topic = uniqueName("order_events");
  let copier: OutboxCopier | undefined;
  let system: TestSystem | undefined;
  const file = { system: startedLater(() => system, "the system") } as LifecycleFile;

  beforeAll(async () => {
    system = await startSystem({
      catalogEnv: {
        RESERVATION_CONSUMER_ENABLED: "true",
        ORDER_EVENTS_TOPIC: topic,
        KAFKA_GROUP_ID: uniqueName("catalog"),
      },
    });
    copier = await startOutboxCopier(system.sql, testServers().kafkaBrokers, topic);
  });

  afterAll(async () => {
    await copier?.stop();
    await system?.close();
    await new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "order-test-cleanup" })
      .deleteTopics([topic, `${topic}.dlq`])
      .catch(() => undefined);
  });

  file.anOrder = async (token, quantity = 1, productQuantity = 10) => {
    const product = await file.system.aProduct({ quantity: productQuantity });
    const placed = await file.system.placeOrder(token, randomUUID(), {
      items: [{ productId: product.id, quantity }],
    });
    if (placed.status !== 201) throw new Error(`placement failed: ${placed.status}`);
    return { product, order: placed.body };
  };

  file.catalogEventCount = async (outcome, eventType) => {
    const metrics = await call(file.system.catalogUrl, "GET", "/metrics");
    const match = new RegExp(
      `catalog_events_total\\{[^}]*outcome="${outcome}"[^}]*event_type="${eventType}"[^}]*\\} (\\d+)`,
    ).exec(metrics.body as string);
    return match ? Number(match[1]) : 0;
  };

  // One transaction, as the archiver's chunk.
  file.archive = async (...orderIds) => {
    const conn = await file.system.sql.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query(
        "INSERT INTO orders_archive (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) SELECT id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at FROM orders WHERE id IN (?)",
        [orderIds],
      );
      await conn.query(
        "INSERT INTO order_items_archive SELECT id, order_id, product_id, sku, name, unit_price, quantity, line_total FROM order_items WHERE order_id IN (?)",
        [orderIds],
      );
      await conn.query("DELETE FROM order_items WHERE order_id IN (?)", [orderIds]);
      await conn.query("DELETE FROM orders WHERE id IN (?)", [orderIds]);
      await conn.commit();
    } catch (error) {
      await conn.rollback();
      throw error;
    } finally {
      await conn.release();
    }
  };

  return file;
}
