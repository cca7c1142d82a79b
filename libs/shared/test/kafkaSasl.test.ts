import fs from "node:fs";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { z } from "zod";
import {
  KafkaClient,
  kafkaConnectionEnv,
  kafkaSecurity,
  loadConfig,
  ORDER_EVENTS_TOPIC,
  type IncomingMessage,
} from "../src";
import { aPrivateKafka, uniqueName, waitFor, type PrivateKafka } from "../src/testing";

// A broker of this test's own with a SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-256) and the
// standard authorizer on, carrying exactly the ACLs the README's "Kafka security" section lists.
// The shared broker on :9092 has neither and is not touched.
const USERS = {
  "outbox-relay": "relay-password-1",
  notifier: "notifier-password-1",
  catalog: "catalog-password-1",
};
const MECHANISMS = ["plain", "scram-sha-256"] as const;

/** The README's kafka-acls.sh lines, as AclCommand arguments for this broker. */
function readmeAcls(bootstrap: string): string[][] {
  const readme = fs.readFileSync(path.join(__dirname, "../../../README.md"), "utf8");
  const lines = readme.split("\n").filter((l) => l.startsWith("kafka-acls.sh "));
  return lines.map((l) =>
    l
      .split(/\s+/)
      .slice(1)
      .map((word) => (word === "$B" ? bootstrap : word)),
  );
}

/** A Kafka adapter configured the way a service is: from its environment. */
function clientFor(
  broker: PrivateKafka,
  env: Record<string, string>,
  clientId = uniqueName("sasl"),
): KafkaClient {
  const security = kafkaSecurity(loadConfig(z.object(kafkaConnectionEnv), env));
  return new KafkaClient({ brokers: [broker.saslAddress!], clientId, security });
}

const credentials = (mechanism: string, user: keyof typeof USERS, password = USERS[user]) => ({
  KAFKA_SASL_MECHANISM: mechanism,
  KAFKA_SASL_USERNAME: user,
  KAFKA_SASL_PASSWORD: password,
});

describe("Kafka adapter against a broker that requires SASL and ACLs", () => {
  let broker: PrivateKafka;

  beforeAll(async () => {
    broker = await aPrivateKafka({ saslUsers: USERS, acls: true });
    await broker.start();
    // The topics exist beforehand, as the Helm Job makes them; the test is a super user here.
    await new KafkaClient({ brokers: [broker.address], clientId: "sasl-setup" }).ensureTopics([
      { topic: ORDER_EVENTS_TOPIC, partitions: 1 },
      { topic: `${ORDER_EVENTS_TOPIC}.dlq`, partitions: 1 },
    ]);
    const acls = readmeAcls(broker.address);
    // The services' four, and the DLQ tool's two under the relay's principal.
    expect(acls).toHaveLength(6);
    for (const args of acls) await broker.runTool("org.apache.kafka.tools.AclCommand", args);
  }, 900_000);

  afterAll(async () => {
    await broker?.remove();
  }, 120_000);

  it.each(MECHANISMS)(
    "with %s, the relay's credentials write order-events and the notifier's read it in its group",
    async (mechanism) => {
      const value = JSON.stringify({ mechanism, at: uniqueName("event") });
      const producer = await clientFor(broker, credentials(mechanism, "outbox-relay")).producer();
      try {
        await producer.send(ORDER_EVENTS_TOPIC, [{ key: mechanism, value }]);
      } finally {
        await producer.disconnect();
      }

      const received: IncomingMessage[] = [];
      const consumer = clientFor(broker, credentials(mechanism, "notifier")).consumer("notifier");
      try {
        await consumer.run([ORDER_EVENTS_TOPIC], async (m) => void received.push(m));
        await waitFor(() => received.some((m) => m.value?.toString() === value), {
          what: `the notifier reading the ${mechanism} message`,
          timeoutMs: 60_000,
        });
      } finally {
        await consumer.stop();
      }
    },
    120_000,
  );

  it.each(MECHANISMS)(
    "with %s, a wrong password is refused at connect with a SASL authentication error",
    async (mechanism) => {
      const client = clientFor(broker, credentials(mechanism, "outbox-relay", "wrong-password"));
      await expect(client.producer()).rejects.toThrow(/SASL .*authentication failed/i);
    },
    60_000,
  );

  it("only the relay may write order-events: the notifier's and the catalog's credentials are refused by the ACLs", async () => {
    for (const user of ["notifier", "catalog"] as const) {
      const producer = await clientFor(broker, credentials("scram-sha-256", user)).producer();
      try {
        await expect(
          producer.send(ORDER_EVENTS_TOPIC, [{ key: user, value: "{}" }]),
        ).rejects.toThrow(/not authorized/i);
      } finally {
        await producer.disconnect();
      }
    }
  }, 120_000);

  it("the catalog and the notifier may write the dead-letter topic, the relay may not", async () => {
    const send = async (user: keyof typeof USERS) => {
      const producer = await clientFor(broker, credentials("plain", user)).producer();
      try {
        await producer.send(`${ORDER_EVENTS_TOPIC}.dlq`, [{ key: user, value: "{}" }]);
        return "written";
      } catch (error) {
        return (error as Error).message;
      } finally {
        await producer.disconnect();
      }
    };
    expect(await send("catalog")).toBe("written");
    expect(await send("notifier")).toBe("written");
    expect(await send("outbox-relay")).toMatch(/not authorized/i);
  }, 120_000);

  it("the DLQ tool, with the relay's credentials, reads the dead-letter topic through a throwaway group it deletes; the notifier may not read it", async () => {
    const letter = JSON.stringify({ letter: uniqueName("dead") });
    const producer = await clientFor(broker, credentials("plain", "catalog")).producer();
    try {
      await producer.send(`${ORDER_EVENTS_TOPIC}.dlq`, [{ key: "k", value: letter }]);
    } finally {
      await producer.disconnect();
    }
    // As dlqCli builds it: client id "dlq-cli", so its groups are dlq-cli-read-<uuid>.
    const tool = clientFor(broker, credentials("plain", "outbox-relay"), "dlq-cli");
    const read = await tool.readAll(`${ORDER_EVENTS_TOPIC}.dlq`, 60_000);
    expect(read.map((m) => m.value?.toString())).toContain(letter);
    const admin = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.filter((g) => g.groupId.startsWith("dlq-cli-read-"))).toEqual([]);
    } finally {
      await admin.disconnect();
    }

    const notifier = clientFor(broker, credentials("plain", "notifier"), "dlq-cli");
    // Refused its group (kafkajs reports no coordinator for it), not left to the timeout.
    await expect(notifier.readAll(`${ORDER_EVENTS_TOPIC}.dlq`, 20_000)).rejects.toThrow(
      /not authorized|group coordinator/i,
    );
  }, 180_000);
});
