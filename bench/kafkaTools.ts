// Kafka's own performance tools, from the same jars as the broker (scripts/infra/kafka.sh run):
// the ceiling the relay and the notifier are compared with.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const KAFKA_SH = path.resolve(__dirname, "../scripts/infra/kafka.sh");
const run = async (args: string[]) =>
  (await promisify(execFile)("bash", [KAFKA_SH, "run", ...args], { maxBuffer: 16 * 1024 * 1024 }))
    .stdout;

/** kafka-producer-perf-test with the relay's settings: acks=all, idempotent producer. */
export async function producerPerformance(
  brokers: string,
  topic: string,
  records: number,
  recordSize: number,
): Promise<{ perSecond: number; p50Ms: number; p99Ms: number }> {
  const out = await run([
    "org.apache.kafka.tools.ProducerPerformance",
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    String(recordSize),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${brokers}`,
    "acks=all",
    "enable.idempotence=true",
  ]);
  // "10000 records sent, 23364.5 records/sec (13.37 MB/sec), 245.31 ms avg latency, ..., 250 ms 50th, 370 ms 95th, 380 ms 99th, ..."
  const summary = out
    .trim()
    .split("\n")
    .filter((l) => l.includes("records sent"))
    .pop();
  const match = summary?.match(
    /records sent, ([\d.]+) records\/sec.* (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/,
  );
  if (!match) throw new Error(`unexpected ProducerPerformance output:\n${out}`);
  return {
    perSecond: Math.round(Number(match[1])),
    p50Ms: Number(match[2]),
    p99Ms: Number(match[3]),
  };
}

/** kafka-consumer-perf-test: reads `messages` from the start of the topic with a fresh group. */
export async function consumerPerformance(
  brokers: string,
  topic: string,
  messages: number,
  group: string,
): Promise<{ perSecond: number; fetchPerSecond: number }> {
  const out = await run([
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    brokers,
    "--topic",
    topic,
    "--messages",
    String(messages),
    "--group",
    group,
    "--timeout",
    "60000",
  ]);
  const lines = out
    .trim()
    .split("\n")
    .filter((l) => l.includes(","));
  const header = lines
    .find((l) => l.includes("nMsg.sec"))
    ?.split(",")
    .map((h) => h.trim());
  const values = lines[lines.length - 1]?.split(",").map((v) => v.trim());
  if (!header || !values || header === values)
    throw new Error(`unexpected ConsumerPerformance output:\n${out}`);
  const field = (name: string) => Number(values[header.indexOf(name)]);
  return {
    perSecond: Math.round(field("nMsg.sec")),
    fetchPerSecond: Math.round(field("fetch.nMsg.sec")),
  };
}
