import { Redis } from "ioredis";
import {
  createLogger,
  redisDeliveryCounter,
  createOrderEvent,
  eventHeaders,
  KafkaClient,
  Metrics,
  PermanentEventError,
  startReliableConsumer,
  type EventEnvelope,
  type IncomingMessage,
  orderEventEnvelopes,
} from "../src";
import { testServers, uniqueName, waitFor } from "../src/testing";

describe("startReliableConsumer on a real broker", () => {
  const logger = createLogger({ service: "test", silent: true });
  const brokers = testServers().kafkaBrokers;
  const kafka = new KafkaClient({ brokers, clientId: uniqueName("rc"), logger });
  const topic = uniqueName("rc_topic");
  const dlqTopic = `${topic}.dlq`;
  afterAll(() => kafka.deleteTopics([topic, dlqTopic]).catch(() => undefined));

  /** The consumer's own view: the order id, or null for a type it ignores. */
  function parse(envelope: EventEnvelope): { orderId: string } | null {
    if (envelope.eventType !== "ORDER_CREATED") return null;
    if (!envelope.payload.ok) throw new PermanentEventError("payload is not ok");
    return { orderId: envelope.aggregateId };
  }

  /** Waits until the consumer has processed every partition it fetched from (lag 0 on each). */
  const untilCaughtUp = (consumer: { lag(): { lag: number }[] }) =>
    waitFor(() => consumer.lag().length > 0 && consumer.lag().every((p) => p.lag === 0), {
      what: "every fetched partition processed",
    });

  /** One attempt, `parse`, and what was handled and each outcome recorded in the given lists. */
  const recordingOptions = (handled: string[], outcomes: string[]) => ({
    envelopes: orderEventEnvelopes,
    brokers,
    clientId: "rc-test",
    maxAttempts: 1,
    parse,
    handle: async (event: { orderId: string }) => {
      handled.push(event.orderId);
      return "processed" as const;
    },
    onOutcome: (outcome: string, eventType: string) => outcomes.push(`${outcome} ${eventType}`),
    logger,
  });

  test("creates the topic and its DLQ, handles parsed events, skips ignored types, dead-letters broken payloads", async () => {
    const handled: string[] = [];
    const outcomes: string[] = [];
    const metrics = new Metrics({ collectDefaults: false });
    const groupId = uniqueName("rc_group");
    const consumer = await startReliableConsumer({
      ...recordingOptions(handled, outcomes),
      topic,
      partitions: 2,
      groupId,
      metrics,
    });
    expect(await kafka.partitionCount(topic)).toBe(2);
    expect(await kafka.partitionCount(dlqTopic)).toBe(1);
    const producer = await kafka.producer();
    const dlqReader = kafka.consumer(uniqueName("rc_dlq_group"));
    const deadLetters: IncomingMessage[] = [];
    try {
      await dlqReader.run([dlqTopic], async (m) => void deadLetters.push(m));
      const orderId = "0b9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f";
      const events = [
        createOrderEvent("ORDER_COMPLETED", orderId, { ok: true }),
        createOrderEvent("ORDER_CREATED", orderId, { ok: false }),
        createOrderEvent("ORDER_CREATED", orderId, { ok: true }),
      ];
      await producer.send(
        topic,
        events.map((e) => ({ key: orderId, value: JSON.stringify(e), headers: eventHeaders(e) })),
      );

      await waitFor(() => handled.length === 1 && deadLetters.length === 1, {
        timeoutMs: 30_000,
        what: "one handled event and one dead letter",
      });
      expect(handled).toEqual([orderId]);
      expect(outcomes).toEqual([
        "skipped ORDER_COMPLETED",
        "dead_lettered ORDER_CREATED",
        "processed ORDER_CREATED",
      ]);
      expect(deadLetters[0]!.headers).toMatchObject({
        "dlq-error": "payload is not ok",
        "event-id": events[1]!.eventId,
      });
      await untilCaughtUp(consumer);
      const text = await metrics.render();
      expect(text).toContain(
        `kafka_consumer_dead_lettered_total{group="${groupId}",topic="${topic}"} 1`,
      );
      // The three events share a key, so one partition holds them all; the group has processed it.
      const lagLines = text.split("\n").filter((l) => l.startsWith("kafka_consumer_lag_messages{"));
      expect(lagLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^kafka_consumer_lag_messages\\{group="${groupId}",topic="${topic}",partition="[01]"\\} 0$`,
          ),
        ),
      ]);
    } finally {
      await consumer.stop();
      await dlqReader.stop();
      await producer.disconnect();
    }
  });

  test("dead-letters a message that fails on every delivery after maxDeliveries, counted in Redis, and consumes the events behind it", async () => {
    const failingTopic = uniqueName("rc_failing");
    const failingDlq = `${failingTopic}.dlq`;
    const prefix = `${uniqueName("rc_deliveries")}:`;
    const redis = new Redis(testServers().redisUrl);
    const groupId = uniqueName("rc_group");
    const poison = createOrderEvent("ORDER_CREATED", "1c9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f", {
      ok: true,
    });
    const behind = createOrderEvent("ORDER_CREATED", poison.aggregateId, { ok: true });
    let poisonAttempts = 0;
    const handled: string[] = [];
    const outcomes: string[] = [];
    const consumer = await startReliableConsumer({
      envelopes: orderEventEnvelopes,
      brokers,
      clientId: "rc-test",
      topic: failingTopic,
      partitions: 1,
      groupId,
      maxAttempts: 2,
      backoffBaseMs: 1,
      maxDeliveries: 3,
      deliveries: redisDeliveryCounter(redis, { prefix, logger }),
      parse: (envelope) => ({ eventId: envelope.eventId }),
      handle: async (event) => {
        if (event.eventId === poison.eventId) {
          poisonAttempts += 1;
          // Not a PermanentEventError: the kind of failure that used to hold the partition forever.
          throw new Error("downstream keeps refusing this one");
        }
        handled.push(event.eventId);
        return "processed";
      },
      onOutcome: (outcome) => outcomes.push(outcome),
      logger,
    });
    const producer = await kafka.producer();
    const dlqReader = kafka.consumer(uniqueName("rc_dlq_group"));
    const deadLetters: IncomingMessage[] = [];
    try {
      await dlqReader.run([failingDlq], async (m) => void deadLetters.push(m));
      await producer.send(
        failingTopic,
        [poison, behind].map((e) => ({
          key: e.aggregateId,
          value: JSON.stringify(e),
          headers: eventHeaders(e),
        })),
      );

      await waitFor(() => handled.includes(behind.eventId) && deadLetters.length === 1, {
        timeoutMs: 60_000,
        what: "the poison message dead-lettered and the event behind it handled",
      });

      // Three deliveries of two in-process attempts each, then the DLQ.
      expect(poisonAttempts).toBe(6);
      expect(deadLetters[0]!.headers).toMatchObject({
        "event-id": poison.eventId,
        "dlq-error": "downstream keeps refusing this one",
        "dlq-deliveries": "3",
        "dlq-consumer-group": groupId,
        "dlq-original-topic": failingTopic,
      });
      expect(JSON.parse(deadLetters[0]!.value!.toString()).eventId).toBe(poison.eventId);
      expect(outcomes.filter((o) => o === "dead_lettered")).toHaveLength(1);
      // Settled: the count is gone from Redis.
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
      await untilCaughtUp(consumer);
    } finally {
      await consumer.stop();
      await dlqReader.stop();
      await producer.disconnect();
      redis.disconnect();
      await kafka.deleteTopics([failingTopic, failingDlq]).catch(() => undefined);
    }
  });

  test("with handleBatch, hands a fetched batch over at once and commits past it; a failing batch goes one by one through handle, broken payloads to the DLQ", async () => {
    const batchTopic = uniqueName("rc_batch");
    const batchDlq = `${batchTopic}.dlq`;
    const orderId = "2d9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f";
    const first = [
      createOrderEvent("ORDER_CREATED", orderId, { ok: true }),
      createOrderEvent("ORDER_COMPLETED", orderId, { ok: true }),
      createOrderEvent("ORDER_CREATED", orderId, { ok: true }),
    ];
    // Once a batch holds a broken payload, the whole batch takes the one-by-one path.
    const second = [
      createOrderEvent("ORDER_CREATED", orderId, { ok: true }),
      createOrderEvent("ORDER_CREATED", orderId, { ok: false }),
    ];
    const batches: string[][] = [];
    const oneByOne: string[] = [];
    const outcomes: string[] = [];
    const groupId = uniqueName("rc_group");
    const producer = await kafka.producer();
    await kafka.ensureTopics([
      { topic: batchTopic, partitions: 1 },
      { topic: batchDlq, partitions: 1 },
    ]);
    const send = (events: EventEnvelope[]) =>
      producer.send(
        batchTopic,
        events.map((e) => ({ key: orderId, value: JSON.stringify(e), headers: eventHeaders(e) })),
      );
    // Published before the consumer starts: its first fetch holds all three.
    await send(first);
    const consumer = await startReliableConsumer({
      ...recordingOptions(oneByOne, outcomes),
      topic: batchTopic,
      partitions: 1,
      groupId,
      handleBatch: async (events) => {
        batches.push(events.map((e) => e.orderId));
        return events.map((_, i) => (i === 0 ? "processed" : "duplicate"));
      },
    });
    const dlqReader = kafka.consumer(uniqueName("rc_dlq_group"));
    const deadLetters: IncomingMessage[] = [];
    try {
      await dlqReader.run([batchDlq], async (m) => void deadLetters.push(m));
      await waitFor(() => outcomes.length === 3, { what: "the first batch handled" });
      expect(batches).toEqual([[orderId, orderId]]);
      expect(outcomes).toEqual([
        "processed ORDER_CREATED",
        "skipped ORDER_COMPLETED",
        "duplicate ORDER_CREATED",
      ]);
      expect(oneByOne).toEqual([]);

      await send(second);
      await waitFor(() => deadLetters.length === 1 && oneByOne.length === 1, {
        timeoutMs: 30_000,
        what: "the second batch handled one by one",
      });
      expect(batches).toHaveLength(1);
      expect(outcomes.slice(3)).toEqual(["processed ORDER_CREATED", "dead_lettered ORDER_CREATED"]);
      expect(deadLetters[0]!.headers["event-id"]).toBe(second[1]!.eventId);
      await untilCaughtUp(consumer);
    } finally {
      await consumer.stop();
      await dlqReader.stop();
      await producer.disconnect();
      await kafka.deleteTopics([batchTopic, batchDlq]).catch(() => undefined);
    }
  });

  test("reports a partition's lag from its fetch while the handler holds a message, without asking the broker", async () => {
    const lagTopic = uniqueName("rc_lag_topic");
    await kafka.ensureTopics([{ topic: lagTopic, partitions: 1 }]);
    const producer = await kafka.producer();
    const consumer = kafka.consumer(uniqueName("rc_lag_group"));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    try {
      await producer.send(
        lagTopic,
        ["a", "b", "c"].map((value) => ({ key: "k", value })),
      );
      await consumer.run([lagTopic], async () => {
        if (handled++ === 0) await held;
      });
      expect(
        await waitFor(() => (consumer.lag().length ? consumer.lag() : undefined), {
          what: "the first fetch",
          timeoutMs: 30_000,
        }),
      ).toEqual([{ topic: lagTopic, partition: 0, lag: 3 }]);
      release();
      await waitFor(() => handled === 3 && consumer.lag()[0]?.lag === 0, {
        what: "the partition processed",
      });
    } finally {
      release();
      await consumer.stop();
      await producer.disconnect();
      await kafka.deleteTopics([lagTopic]).catch(() => undefined);
    }
  });
});
