import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { aPrivateKafka, type PrivateKafka } from "@app/shared/testing";
import { parse } from "yaml";
import { podSpec, renderedChartForFile, values } from "../src/helmChart";
import { repoPath } from "../src/paths";

const chart = renderedChartForFile("helm-kafka-topics");
const { byKind, named, effectiveEnv } = chart;

describe("helm chart, Kafka topics", () => {
  const topicsJob = (name: string) => named(name, "Job", "kafka-topics");
  const script = (name: string) => podSpec(topicsJob(name)!).containers[0].args[0] as string;
  const valuesOf = (env: string) =>
    parse(fs.readFileSync(values(env), "utf8")) as {
      kafka: { orderEventsPartitions: number; topics?: Record<string, number> };
    };

  it.each([
    ["prod", 12, 3, 2],
    ["staging", 6, 3, 2],
    ["dev", 3, 1, 1],
  ] as const)(
    "%s: a pre-install/pre-upgrade hook Job creates order-events (%i partitions) and its DLQ with replication factor %i and min.insync.replicas %i",
    (env, partitions, replicas, minIsr) => {
      expect(valuesOf(env).kafka.orderEventsPartitions).toBe(partitions);
      const job = topicsJob(env)!;
      expect(job.metadata.annotations).toMatchObject({
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
      });
      const container = podSpec(job).containers[0];
      expect(container.image).toBe("apache/kafka:4.1.1");
      expect(container.command).toEqual(["/bin/sh", "-ec"]);
      const lines = script(env).trim().split("\n");
      expect(lines).toEqual([
        'topics() { /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$KAFKA_BROKERS" "$@"; }',
        `topics --create --if-not-exists --topic order-events --partitions ${partitions} --replication-factor ${replicas} --config min.insync.replicas=${minIsr}`,
        `topics --create --if-not-exists --topic order-events.dlq --partitions 1 --replication-factor ${replicas} --config min.insync.replicas=${minIsr}`,
        "topics --describe --topic order-events",
      ]);
      expect(effectiveEnv(env, job).KAFKA_BROKERS).toBe(
        effectiveEnv(env, named(env, "Deployment", "outbox-relay")!).KAFKA_BROKERS,
      );
    },
  );

  it.each(["dev", "staging", "prod", "topics-by-operator"])(
    "%s: no service creates topics (KAFKA_CREATE_TOPICS=false in the ConfigMap every one reads)",
    (name) => {
      const services = byKind(name, "Deployment").filter(
        (d) => d.metadata.labels!["app.kubernetes.io/component"] !== "gateway",
      );
      expect(services).toHaveLength(5);
      for (const d of services) expect(effectiveEnv(name, d).KAFKA_CREATE_TOPICS).toBe("false");
    },
  );

  it("kafka.topics.create false renders no Job and no account for it", () => {
    expect(topicsJob("topics-by-operator")).toBeUndefined();
    expect(
      byKind("topics-by-operator", "ServiceAccount").map((a) => a.metadata.name),
    ).not.toContain("po-product-ordering-kafka-topics");
  });

  it("refuses min.insync.replicas above the replication factor", () => {
    expect(chart.rendered["topics-min-isr-above-replicas"]!.error).toMatch(
      /minInsyncReplicas \(2\) exceeds kafka.topics.replicationFactor \(1\)/,
    );
  });

  it("passes the client settings of clientConfigSecret to kafka-topics.sh, for brokers that need TLS or SASL", () => {
    expect(script("topics-sasl")).toContain("--command-config /etc/kafka-client/client.properties");
    const pod = podSpec(topicsJob("topics-sasl")!);
    expect(pod.volumes).toContainEqual({
      name: "kafka-client",
      secret: {
        secretName: "kafka-admin-client",
        items: [{ key: "client.properties", path: "client.properties" }],
      },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "kafka-client",
      mountPath: "/etc/kafka-client",
      readOnly: true,
    });
  });
});

describe("helm chart, the topics Job's script run against a real broker", () => {
  let broker: PrivateKafka;
  const runJob = async () => {
    const container = podSpec(named("topics-one-broker", "Job", "kafka-topics")!).containers[0];
    // The image's kafka-topics.sh is the tools' TopicCommand: the same class through kafka.sh.
    const shim = path.join(chart.outDir, "kafka-topics.sh");
    fs.writeFileSync(
      shim,
      `#!/bin/sh\nexec bash ${repoPath("scripts/infra/kafka.sh")} run org.apache.kafka.tools.TopicCommand "$@"\n`,
      { mode: 0o755 },
    );
    const script = (container.args[0] as string).replaceAll("/opt/kafka/bin/kafka-topics.sh", shim);
    const { stdout } = await promisify(execFile)(
      container.command[0],
      [...container.command.slice(1), script],
      {
        env: { ...process.env, KAFKA_BROKERS: broker.address },
        timeout: 180_000,
      },
    );
    return stdout;
  };

  beforeAll(async () => {
    broker = await aPrivateKafka();
    await broker.start();
  }, 900_000);

  afterAll(async () => {
    await broker?.remove();
  }, 120_000);

  it("creates order-events and its DLQ with the partitions and min.insync.replicas of the values, and a second run (the next upgrade) leaves them as they are", async () => {
    // "PartitionCount: 5 ReplicationFactor: 1 Configs: min.insync.replicas=1,segment.bytes=..."
    const described = (out: string) => {
      const m = /PartitionCount: (\d+)\s+ReplicationFactor: (\d+)\s+Configs: (\S*)/.exec(out);
      const configs = Object.fromEntries(m![3]!.split(",").map((c) => c.split("=")));
      return { partitions: m![1], replicas: m![2], minIsr: configs["min.insync.replicas"] };
    };
    const expected = { partitions: "5", replicas: "1", minIsr: "1" };
    expect(described(await runJob())).toEqual(expected);
    const dlq = await broker.runTool("org.apache.kafka.tools.TopicCommand", [
      "--bootstrap-server",
      broker.address,
      "--describe",
      "--topic",
      "order-events.dlq",
    ]);
    expect(described(dlq)).toEqual({ ...expected, partitions: "2" });
    expect(described(await runJob())).toEqual(expected);
  }, 400_000);
});
