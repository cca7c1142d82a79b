import {
  createOrderEvent,
  eventHeaders,
  KafkaClient,
  type EventConsumer,
  type EventProducer,
  type IncomingMessage,
  type OrderEventType,
} from "@app/shared";
import { metricValue, testServers, uniqueName, waitFor } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import {
  aProduct,
  aReservation,
  availableOf,
  catalogForFile,
  reservationStatus,
  stockOf,
} from "./support";

const topic = uniqueName("order_events");
const groupId = uniqueName("catalog");
const t = catalogForFile({
  RESERVATION_CONSUMER_ENABLED: "true",
  ORDER_EVENTS_TOPIC: topic,
  KAFKA_GROUP_ID: groupId,
});
let kafka: KafkaClient;
let producer: EventProducer;

beforeAll(async () => {
  kafka = new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "catalog-test" });
  producer = await kafka.producer();
});

afterAll(async () => {
  await producer.disconnect();
  await kafka.deleteTopics([topic, `${topic}.dlq`]);
});

/** An order event as the order service's outbox relay publishes it: the order snapshot plus reservationId. */
function anOrderEvent(eventType: OrderEventType, orderId: string, reservationId: string) {
  const now = new Date().toISOString();
  return createOrderEvent(eventType, orderId, {
    id: orderId,
    userId: randomUUID(),
    status: eventType === "ORDER_CANCELLED" ? "CANCELLED" : "CREATED",
    items: [],
    totalAmount: 0,
    currency: "EUR",
    createdAt: now,
    updatedAt: now,
    reservationId,
  });
}

async function publish(event: ReturnType<typeof anOrderEvent>) {
  await producer.send(topic, [
    {
      key: event.aggregateId,
      value: JSON.stringify(event),
      headers: eventHeaders(event, randomUUID()),
    },
  ]);
}

describe("order events from Kafka", () => {
  it("confirms the reservation when ORDER_CREATED arrives", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const reservationId = await aReservation(t, product.id, 2);
    await publish(anOrderEvent("ORDER_CREATED", randomUUID(), reservationId));
    await waitFor(async () => (await reservationStatus(t, reservationId)) === "CONFIRMED", {
      what: "confirmation",
      timeoutMs: 30_000,
    });
    expect((await stockOf(t, product.id)).quantity).toBe(3);
  });

  it("releases once when the same ORDER_CANCELLED is delivered twice", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const reservationId = await aReservation(t, product.id, 3);
    const orderId = randomUUID();
    await publish(anOrderEvent("ORDER_CREATED", orderId, reservationId));
    const cancelled = anOrderEvent("ORDER_CANCELLED", orderId, reservationId);
    await publish(cancelled);
    await publish(cancelled);
    // A marker event behind both copies on the same partition: once it is handled, both copies were.
    const marker = await aReservation(t, product.id, 1);
    await publish(anOrderEvent("ORDER_CREATED", orderId, marker));
    await waitFor(async () => (await reservationStatus(t, marker)) === "CONFIRMED", {
      what: "the marker event",
      timeoutMs: 30_000,
    });
    expect(await reservationStatus(t, reservationId)).toBe("RELEASED");
    expect((await stockOf(t, product.id)).quantity).toBe(4);
    const processed: { n: number }[] = await t.sql.query(
      "SELECT CAST(COUNT(*) AS SIGNED) AS n FROM processed_events WHERE event_id = ?",
      [cancelled.eventId],
    );
    expect(processed[0]!.n).toBe(1);
    expect(await availableOf(t, product.id)).toBe(4);
  });

  describe("a poison event", () => {
    let dlq: EventConsumer;
    const dead: IncomingMessage[] = [];

    beforeAll(async () => {
      dlq = kafka.consumer(uniqueName("catalog_dlq_reader"));
      await dlq.run([`${topic}.dlq`], async (m) => void dead.push(m));
    });

    afterAll(async () => {
      await dlq.stop();
    });

    it("dead-letters an ORDER_CANCELLED without a reservationId to order-events.dlq and keeps consuming", async () => {
      const deadLettered = { outcome: "dead_lettered", event_type: "ORDER_CANCELLED" };
      const before = await metricValue(t.url, "catalog_events_total", deadLettered);
      const product = await aProduct(t, { quantity: 2 });
      const orderId = randomUUID();
      const broken = createOrderEvent("ORDER_CANCELLED", orderId, { id: orderId });
      const value = JSON.stringify(broken);
      await producer.send(topic, [{ key: orderId, value, headers: eventHeaders(broken) }]);
      const reservationId = await aReservation(t, product.id, 2);
      await publish(anOrderEvent("ORDER_CREATED", orderId, reservationId));
      await waitFor(async () => (await reservationStatus(t, reservationId)) === "CONFIRMED", {
        what: "the event after the bad one",
        timeoutMs: 30_000,
      });

      const letter = await waitFor(() => dead.find((m) => m.key === orderId), {
        what: "the dead letter",
        timeoutMs: 30_000,
      });
      expect(letter.value?.toString()).toBe(value);
      expect(letter.headers).toMatchObject({
        "dlq-original-topic": topic,
        "dlq-consumer-group": groupId,
        "event-id": broken.eventId,
      });
      expect(letter.headers["dlq-error"]).toMatch(/reservationId/);
      expect(Number(letter.headers["dlq-original-partition"])).toBeGreaterThanOrEqual(0);
      expect(letter.headers["dlq-original-offset"]).toMatch(/^\d+$/);
      expect(dead.filter((m) => m.key === orderId)).toHaveLength(1);
      expect(await metricValue(t.url, "catalog_events_total", deadLettered)).toBe(before + 1);
    });
  });
});
