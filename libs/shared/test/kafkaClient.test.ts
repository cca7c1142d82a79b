import net from "node:net";
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from "kafkajs";
import { classifySendError, kafkaCheck, KafkaClient, runHealthChecks } from "../src";
import { testServers, uniqueName, waitFor } from "../src/testing";

// As kafkajs builds them from a broker's error code (src/protocol/error.js).
const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError(
    Object.assign(new Error(`${type} from the broker`), { type, code: 0, retriable }),
  );
const retriesExceeded = (cause: Error) =>
  new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 3000 });

describe("classifying a failed send", () => {
  it("calls a refusal of the message itself rejected, also when wrapped by kafkajs", () => {
    for (const type of [
      "MESSAGE_TOO_LARGE",
      "RECORD_LIST_TOO_LARGE",
      "INVALID_RECORD",
      "CORRUPT_MESSAGE",
    ]) {
      expect(classifySendError(protocolError(type, false))).toBe("rejected");
      expect(classifySendError(retriesExceeded(protocolError(type, false)))).toBe("rejected");
    }
  });

  it("calls everything that says nothing about the message unavailable: connection, timeout, leadership, retries exhausted", () => {
    const refused = new KafkaJSConnectionError(
      "Connection error: connect ECONNREFUSED 127.0.0.1:1",
    );
    for (const error of [
      refused,
      retriesExceeded(refused),
      new KafkaJSRequestTimeoutError("Request Produce(key: 0, version: 7) timed out"),
      retriesExceeded(protocolError("LEADER_NOT_AVAILABLE", true)),
      protocolError("NOT_LEADER_FOR_PARTITION", true),
      protocolError("BROKER_NOT_AVAILABLE", false),
      protocolError("UNKNOWN_PRODUCER_ID", false),
      new Error("send timed out after 2000 ms"),
      "not even an error",
    ]) {
      expect(classifySendError(error)).toBe("unavailable");
    }
  });
});

describe("kafka readiness probe", () => {
  it("passes against a running broker", async () => {
    const report = await runHealthChecks([
      kafkaCheck(new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "probe-test" })),
    ]);
    expect(report.checks.kafka).toMatchObject({ status: "ok" });
  });

  it("fails at once, without retrying, when nothing listens at the broker address", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const started = Date.now();
    const report = await runHealthChecks([
      kafkaCheck(
        new KafkaClient({ brokers: [`127.0.0.1:${port}`], clientId: "probe-test" }),
        10_000,
      ),
    ]);
    expect(report.checks.kafka).toMatchObject({ status: "fail" });
    expect(report.checks.kafka?.error).not.toMatch(/timed out/);
    // The client's own retries would take seconds (200 ms doubling, five times).
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

/** A fresh topic of `partitions`, a producer and a consumer of a fresh group, named after `name`. */
async function aTopicAndGroup(name: string, partitions: number) {
  const kafka = new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: `${name}-test` });
  const topic = uniqueName(`${name}_topic`);
  const groupId = uniqueName(`${name}_group`);
  await kafka.ensureTopics([{ topic, partitions }]);
  const producer = await kafka.producer();
  return { kafka, topic, groupId, producer, consumer: kafka.consumer(groupId) };
}

describe("a consumer group's lag", () => {
  it("counts the messages past the group's commits: all of them before it consumed, none after", async () => {
    const { kafka, topic, groupId, producer, consumer } = await aTopicAndGroup("lag", 2);
    try {
      await producer.send(
        topic,
        ["a", "b", "c"].map((key) => ({ key, value: key })),
      );
      expect(await kafka.groupLag(groupId, topic)).toBe(3);
      const seen: string[] = [];
      await consumer.run([topic], async (message) => void seen.push(message.key ?? ""));
      await waitFor(async () => (await kafka.groupLag(groupId, topic)) === 0, {
        what: "the group caught up",
        timeoutMs: 30_000,
      });
      expect(seen.sort()).toEqual(["a", "b", "c"]);
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await kafka.deleteTopics([topic]);
    }
  });
});

describe("a consumer whose session expired while it handled a batch", () => {
  it("rejoins the group and goes on consuming (the refused commit used to stop it for good)", async () => {
    const { kafka, topic, groupId, producer, consumer } = await aTopicAndGroup("expiry", 1);
    try {
      await producer.send(topic, [{ key: "first", value: "first" }]);
      const seen: string[] = [];
      let stalled = false;
      await consumer.run([topic], async (message) => {
        // The first delivery outlives the 6 s session: the coordinator drops the member and the
        // commit after it is refused.
        if (!stalled) {
          stalled = true;
          await new Promise((resolve) => setTimeout(resolve, 9000));
        }
        seen.push(message.key ?? "");
      });
      await waitFor(() => stalled, { what: "the first delivery", timeoutMs: 30_000 });
      await producer.send(topic, [{ key: "second", value: "second" }]);
      await waitFor(async () => (await kafka.groupLag(groupId, topic)) === 0, {
        what: "the group past both messages",
        timeoutMs: 60_000,
      });
      expect(seen).toContain("first");
      expect(seen).toContain("second");
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await kafka.deleteTopics([topic]);
    }
  });
});

describe("a consumer group's offset commits", () => {
  it("commits the first batch at once, a batch within the interval with the interval's others, and what it holds on stop", async () => {
    const intervalMs = 3000;
    const kafka = new KafkaClient({
      brokers: testServers().kafkaBrokers,
      clientId: "commits-test",
      offsetCommitIntervalMs: intervalMs,
    });
    const topic = uniqueName("commits_topic");
    const groupId = uniqueName("commits_group");
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    const producer = await kafka.producer();
    const consumer = kafka.consumer(groupId);
    const seen: string[] = [];
    const consumedAfter = async (key: string) => {
      await producer.send(topic, [{ key, value: key }]);
      await waitFor(() => seen.includes(key), { what: `${key} handled`, timeoutMs: 30_000 });
    };
    try {
      await consumer.run([topic], async (message) => void seen.push(message.key ?? ""));
      await consumedAfter("a");
      // Nothing was committed before: the first batch's commit goes at once.
      await waitFor(async () => (await kafka.groupLag(groupId, topic)) === 0, {
        what: "a committed",
        timeoutMs: 2000,
      });

      await consumedAfter("b");
      // Within the interval of a's commit, b waits for the timer...
      expect(await kafka.groupLag(groupId, topic)).toBe(1);
      // ...which commits it with no further message.
      await waitFor(async () => (await kafka.groupLag(groupId, topic)) === 0, {
        what: "b committed by the timer",
        timeoutMs: intervalMs + 5000,
      });

      await consumedAfter("c");
      expect(await kafka.groupLag(groupId, topic)).toBe(1);
      await consumer.stop();
      // stop() committed c while still a member of the group.
      expect(await kafka.groupLag(groupId, topic)).toBe(0);
      expect(seen).toEqual(["a", "b", "c"]);
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await kafka.deleteTopics([topic]);
    }
  });
});
