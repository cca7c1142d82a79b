// A Redis and a Kafka broker of the chaos run's own, on free ports with their own data
// directories: the run kills and flushes them, which it must never do to the shared servers.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Redis from "ioredis";
import { REPO } from "../../../scripts/stack/stack";
import { freePort } from "../../../scripts/stack/isolated";

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

/** A single KRaft broker through scripts/infra/kafka.sh, in a directory of its own. */
export async function privateKafka(): Promise<PrivateServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "chaos-kafka-"));
  const port = await freePort();
  const env = {
    ...process.env,
    KAFKA_HOME_DIR: home,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_HEAP_OPTS: "-Xmx384m -Xms128m",
    KAFKA_START_TIMEOUT: "180",
    // One broker: the internal topics cannot have more replicas than that.
    KAFKA_EXTRA_PROPS: "group.initial.rebalance.delay.ms=0",
  };
  await run("bash", [KAFKA_SCRIPT, "fetch"], { timeout: 600_000 });
  const start = async () =>
    void (await run("bash", [KAFKA_SCRIPT, "start"], { env, timeout: 240_000 }));
  await start();
  const kill = () => killAndWait(pidFrom(path.join(home, "kafka.pid")));
  return {
    address: `127.0.0.1:${port}`,
    start,
    kill,
    async remove() {
      await kill();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
