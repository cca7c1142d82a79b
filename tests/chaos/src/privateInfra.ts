// A Redis and a Kafka broker of the chaos run's own, on free ports with their own data
// directories: the run kills and flushes them, which it must never do to the shared servers.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Redis from "ioredis";
import { REPO } from "../../../scripts/stack/stack";
import { freePort } from "@app/shared/testing";

const run = promisify(execFile);
const KAFKA_SCRIPT = path.join(REPO, "scripts/infra/kafka.sh");

export interface PrivateServer {
  address: string;
  /** SIGKILL: no shutdown, no flush. */
  kill(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

function pidFrom(file: string): number | undefined {
  const pid = Number(fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : NaN);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function killAndWait(pid: number | undefined): Promise<void> {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** redis-server in the foreground of a detached child; a FLUSHALL here touches nobody else. */
export async function privateRedis(): Promise<PrivateServer & { flushAll(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chaos-redis-"));
  const port = await freePort();
  const pidFile = path.join(dir, "redis.pid");
  const start = async () => {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"].concat([
        "--dir",
        dir,
        "--pidfile",
        pidFile,
        "--logfile",
        path.join(dir, "redis.log"),
      ]),
      { stdio: "ignore", detached: true },
    );
    child.unref();
    const deadline = Date.now() + 30_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`private redis on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
    fs.writeFileSync(pidFile, String(child.pid));
  };
  await start();
  return {
    address: `redis://127.0.0.1:${port}`,
    start,
    kill: () => killAndWait(pidFrom(pidFile)),
    async flushAll() {
      const redis = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
      try {
        await redis.flushall();
      } finally {
        redis.disconnect();
      }
    },
    async remove() {
      await killAndWait(pidFrom(pidFile));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the run's faults need of Kafka: its bootstrap list, and one broker at a time killed. */
export interface PrivateKafka {
  /** Bootstrap servers, comma-separated. */
  address: string;
  brokers: number;
  /** SIGKILLs the next broker in turn (all of Kafka when there is one); names it. */
  killOne(): Promise<string>;
  /** Starts the broker killOne() stopped, and waits until it serves. */
  restartKilled(): Promise<void>;
  remove(): Promise<void>;
}

// The cluster id format of `StorageTool random-uuid`: 16 random bytes, URL-safe base64, never
// starting with '-'.
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/**
 * Kafka through scripts/infra/kafka.sh, each node in a directory of its own: one broker, or a
 * KRaft cluster of `size` nodes (each broker and controller) with replication factor `size` and
 * min.insync.replicas 2, as users run it in production.
 */
export async function privateKafka(size = 1): Promise<PrivateKafka> {
  const host = "127.0.0.1";
  const nodes: { home: string; port: number; controller: number }[] = [];
  for (let i = 0; i < size; i++)
    nodes.push({
      home: fs.mkdtempSync(path.join(os.tmpdir(), "chaos-kafka-")),
      port: await freePort(),
      controller: await freePort(),
    });
  const voters = nodes.map((n, i) => `${i + 1}@${host}:${n.controller}`).join(",");
  const cluster = clusterId();
  const replicated =
    size > 1
      ? [
          `default.replication.factor=${size}`,
          "min.insync.replicas=2",
          `offsets.topic.replication.factor=${size}`,
          `transaction.state.log.replication.factor=${size}`,
          "transaction.state.log.min.isr=2",
          `share.coordinator.state.topic.replication.factor=${size}`,
          "share.coordinator.state.topic.min.isr=2",
        ]
      : [];
  const envOf = (i: number) => ({
    ...process.env,
    KAFKA_HOME_DIR: nodes[i]!.home,
    KAFKA_PORT: String(nodes[i]!.port),
    KAFKA_CONTROLLER_PORT: String(nodes[i]!.controller),
    KAFKA_NODE_ID: String(i + 1),
    KAFKA_QUORUM_VOTERS: voters,
    KAFKA_CLUSTER_ID: cluster,
    KAFKA_HEAP_OPTS: "-Xmx384m -Xms128m",
    KAFKA_START_TIMEOUT: "180",
    KAFKA_EXTRA_PROPS: ["group.initial.rebalance.delay.ms=0", ...replicated].join("\n"),
  });
  await run("bash", [KAFKA_SCRIPT, "fetch"], { timeout: 600_000 });
  const start = async (i: number) =>
    void (await run("bash", [KAFKA_SCRIPT, "start"], { env: envOf(i), timeout: 240_000 }));
  const kill = (i: number) => killAndWait(pidFrom(path.join(nodes[i]!.home, "kafka.pid")));
  const removeAll = async () => {
    await Promise.all(nodes.map((_, i) => kill(i)));
    for (const n of nodes) fs.rmSync(n.home, { recursive: true, force: true });
  };
  // A cluster's nodes start together: none serves before a quorum of controllers is up.
  await Promise.all(nodes.map((_, i) => start(i))).catch(async (error: unknown) => {
    await removeAll();
    throw error;
  });
  let next = 0;
  let killed: number | undefined;
  return {
    address: nodes.map((n) => `${host}:${n.port}`).join(","),
    brokers: size,
    async killOne() {
      killed = next;
      next = (next + 1) % size;
      await kill(killed);
      return size === 1 ? "kafka" : `kafka#${killed + 1}`;
    },
    async restartKilled() {
      if (killed !== undefined) await start(killed);
      killed = undefined;
    },
    remove: removeAll,
  };
}
