import {
  createLogger,
  createOrderEvent,
  eventHeaders,
  KafkaClient,
  PermanentEventError,
  reliableHandler,
  type IncomingMessage,
  orderEventEnvelopes,
} from "../src";
import { testServers, uniqueName, waitFor } from "../src/testing";

describe("reliable consumer handler on a real broker", () => {
  const logger = createLogger({ service: "test", silent: true });
  const kafka = new KafkaClient({
    brokers: testServers().kafkaBrokers,
    clientId: uniqueName("rh"),
    logger,
  });
  const topic = uniqueName("rh_topic");
  const dlqTopic = `${topic}.dlq`;

  beforeAll(() =>
    kafka.ensureTopics([
      { topic, partitions: 1 },
      { topic: dlqTopic, partitions: 1 },
    ]),
  );
  afterAll(() => kafka.deleteTopics([topic, dlqTopic]).catch(() => undefined));

  test("a poison message goes to the DLQ with its origin in headers and the next good message is still processed", async () => {
    const producer = await kafka.producer();
    const consumer = kafka.consumer(uniqueName("rh_group"));
    const dlqConsumer = kafka.consumer(uniqueName("rh_dlq_group"));
    const processed: string[] = [];
    const deadLetters: IncomingMessage[] = [];
    let attemptsOnBadPayload = 0;
    try {
      await dlqConsumer.run([dlqTopic], async (m) => void deadLetters.push(m));
      await consumer.run(
        [topic],
        reliableHandler({
          envelopes: orderEventEnvelopes,
          groupId: "rh",
          dlq: producer,
          dlqTopic,
          logger,
          maxAttempts: 3,
          baseBackoffMs: 5,
          handle: async (envelope) => {
            if (envelope.payload.bad) {
              attemptsOnBadPayload++;
              throw new PermanentEventError("payload has no items");
            }
            processed.push(envelope.eventId);
            return "processed";
          },
        }),
      );
      const good = createOrderEvent("ORDER_CREATED", "0b9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f", {
        ok: true,
      });
      const badPayload = createOrderEvent("ORDER_CREATED", "0b9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f", {
        bad: true,
      });
      await producer.send(topic, [
        { key: "k1", value: "{not json", headers: { "x-request-id": "poison-1" } },
        {
          key: good.aggregateId,
          value: JSON.stringify(badPayload),
          headers: eventHeaders(badPayload),
        },
        { key: good.aggregateId, value: JSON.stringify(good), headers: eventHeaders(good) },
      ]);
      await waitFor(() => processed.length === 1 && deadLetters.length === 2, {
        timeoutMs: 30_000,
        what: "processing and dead letters",
      });
      expect(processed).toEqual([good.eventId]);
      expect(attemptsOnBadPayload).toBe(3);
      const [poison, rejected] = deadLetters;
      expect(poison!.value!.toString()).toBe("{not json");
      expect(poison!.headers).toMatchObject({
        "dlq-original-topic": topic,
        "dlq-original-partition": "0",
        "dlq-original-offset": "0",
        "x-request-id": "poison-1",
      });
      expect(poison!.headers["dlq-error"]).toMatch(/not valid JSON/);
      expect(rejected!.headers).toMatchObject({
        "dlq-original-offset": "1",
        "dlq-error": "payload has no items",
        "dlq-attempts": "3",
        "event-id": badPayload.eventId,
      });
    } finally {
      await consumer.stop();
      await dlqConsumer.stop();
      await producer.disconnect();
    }
  });

  test("a handler that keeps failing for a transient reason is redelivered, never skipped", async () => {
    const producer = await kafka.producer();
    const groupId = uniqueName("rh_transient");
    const consumer = kafka.consumer(groupId);
    const t = uniqueName("rh_t");
    await kafka.ensureTopics([{ topic: t, partitions: 1 }]);
    let calls = 0;
    const done: string[] = [];
    try {
      await consumer.run(
        [t],
        reliableHandler({
          envelopes: orderEventEnvelopes,
          groupId,
          dlq: producer,
          dlqTopic: `${t}.dlq`,
          logger,
          maxAttempts: 2,
          baseBackoffMs: 5,
          handle: async (envelope) => {
            calls++;
            // The database is "down" for the first 3 calls: more than one in-process round of attempts.
            if (calls <= 3) throw new Error("connect ECONNREFUSED 127.0.0.1:3306");
            done.push(envelope.eventId);
            return "processed";
          },
        }),
      );
      const event = createOrderEvent("ORDER_CANCELLED", "0b9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f", {});
      await producer.send(t, [
        { key: event.aggregateId, value: JSON.stringify(event), headers: eventHeaders(event) },
      ]);
      await waitFor(() => done.length === 1, { timeoutMs: 45_000, what: "redelivery" });
      expect(done).toEqual([event.eventId]);
      expect(calls).toBe(4);
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await kafka.deleteTopics([t]).catch(() => undefined);
    }
  });
});

describe("outcome labels", () => {
  const logger = createLogger({ service: "test", silent: true });
  const message = (value: string, eventType?: string): IncomingMessage => ({
    topic: "t",
    partition: 0,
    offset: "0",
    key: null,
    value: Buffer.from(value),
    headers: eventType ? { "event-type": eventType } : {},
    timestamp: "0",
  });

  test("reports the contract's event types as they are and any other type, from the envelope or a header, as unknown", async () => {
    const seen: [string, string][] = [];
    const handler = reliableHandler({
      envelopes: orderEventEnvelopes,
      groupId: "labels",
      dlq: { send: async () => undefined, disconnect: async () => undefined },
      logger,
      handle: async (envelope) =>
        envelope.eventType === "ORDER_CREATED" ? "processed" : "skipped",
      onOutcome: (outcome, eventType) => void seen.push([outcome, eventType]),
    });
    const orderId = "0b9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f";
    await handler(message(JSON.stringify(createOrderEvent("ORDER_CREATED", orderId, {}))));
    await handler(
      message(
        JSON.stringify({
          ...createOrderEvent("ORDER_CREATED", orderId, {}),
          eventType: "SOMETHING_NEW_1234",
        }),
      ),
    );
    await handler(message("{not json", "made-up-by-the-sender-5678"));
    expect(seen).toEqual([
      ["processed", "ORDER_CREATED"],
      ["skipped", "unknown"],
      ["dead_lettered", "unknown"],
    ]);
  });
});
