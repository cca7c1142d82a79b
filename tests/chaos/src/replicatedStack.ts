// The system as `npm start` runs it (serviceSpecs, migrations, the nginx gateway), but with
// several replicas of every service, MariaDB behind a TCP proxy the run can stall and cut, and
// the private Redis and Kafka: what the chaos run drives and breaks.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { KafkaClient, withDatabase } from "@app/shared";
import { dropDatabase, freePort, startTcpProxy, type TcpProxy } from "@app/shared/testing";
import {
  adminTokenFor,
  migrateAll,
  REPO,
  serviceSpecs,
  type ServiceSpec,
} from "../../../scripts/stack/stack";
import { startGateway, type RunningGateway } from "../../../scripts/stack/gateway";
import { startBalancer, type Balancer } from "./balancer";

export const SERVICES = ["auth", "catalog", "order", "outbox-relay", "notifier"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface Replica {
  service: ServiceName;
  index: number;
  port: number;
  url: string;
  process?: ChildProcess;
}

export interface ReplicatedStack {
  gateway: RunningGateway;
  dbProxy: TcpProxy;
  replicas: Replica[];
  topic: string;
  dbPrefix: string;
  /** The real server (not the proxy) with the stack's database of that name. */
  databaseUrl(name: "auth" | "catalog" | "orders" | "notifier"): string;
  adminToken(): Promise<string>;
  kill(replica: Replica): Promise<void>;
  start(replica: Replica): Promise<void>;
  /** Replicas that exited, once ready, without being killed on purpose. */
  unexpectedExits: string[];
  /** Starts that failed (the process exited before it was ready) and were tried again. */
  failedStarts: string[];
  stop(): Promise<void>;
}

export interface ReplicatedStackOptions {
  label: string;
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  replicas: number;
  env: Record<string, string>;
  logFile: string;
}

async function waitReady(replica: Replica, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const child = replica.process!;
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${replica.service}#${replica.index} exited during start-up`);
    try {
      const res = await fetch(`${replica.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${replica.service}#${replica.index} not ready within ${timeoutMs} ms`);
}

export async function startReplicatedStack(o: ReplicatedStackOptions): Promise<ReplicatedStack> {
  const unique = `${o.label}_${Date.now().toString(36)}`;
  const dbPrefix = `${unique}_`;
  const topic = `${unique}_order_events`;
  const server = new URL(o.databaseUrl);
  const dbProxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 3306) });
  const viaProxy = new URL(o.databaseUrl);
  viaProxy.port = String(dbProxy.port);
  const log = fs.createWriteStream(o.logFile, { flags: "a" });

  const replicas: Replica[] = [];
  for (const service of SERVICES)
    for (let index = 1; index <= o.replicas; index++) {
      const port = await freePort();
      replicas.push({ service, index, port, url: `http://127.0.0.1:${port}` });
    }
  const portsOf = (service: ServiceName) =>
    replicas.filter((r) => r.service === service).map((r) => r.port);
  const balancers: Balancer[] = [];
  const balancerPort = async (service: ServiceName) => {
    const balancer = await startBalancer(portsOf(service));
    balancers.push(balancer);
    return Number(new URL(balancer.url).port);
  };
  const specs = serviceSpecs({
    databaseUrl: withDatabase(viaProxy.toString(), ""),
    redisUrl: o.redisUrl,
    kafkaBrokers: o.kafkaBrokers,
    dbPrefix,
    redisPrefix: dbPrefix,
    topic,
    ports: {
      gateway: 0,
      auth: await balancerPort("auth"),
      catalog: await balancerPort("catalog"),
      order: await balancerPort("order"),
      notifier: 0,
      relay: 0,
    },
    adminEmail: `admin-${unique.replace(/_/g, "-")}@example.com`,
    adminPassword: "change-me-admin-1",
    env: o.env,
  });
  const specOf = (service: ServiceName): ServiceSpec => specs.find((s) => s.name === service)!;
  const killedOnPurpose = new Set<ChildProcess>();
  const ready = new Set<ChildProcess>();
  const unexpectedExits: string[] = [];
  const failedStarts: string[] = [];
  let stopping = false;

  const launch = (replica: Replica) => {
    const spec = specOf(replica.service);
    const child = spawn(process.execPath, ["dist/main.js"], {
      cwd: path.join(REPO, spec.dir),
      env: {
        ...process.env,
        ...spec.env,
        PORT: String(replica.port),
        DATABASE_URL: spec.database ?? "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const name = `${replica.service}#${replica.index}`;
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on("line", (line) => log.write(`[${name}] ${line}\n`));
    child.on("exit", (code, signal) => {
      if (stopping || killedOnPurpose.has(child) || !ready.has(child)) return;
      unexpectedExits.push(`${name} exited (code ${code}, signal ${signal})`);
      log.write(`[chaos] ${name} exited unexpectedly (code ${code}, signal ${signal})\n`);
    });
    replica.process = child;
  };

  const kill = async (replica: Replica) => {
    const child = replica.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    killedOnPurpose.add(child);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  };
  // As an orchestrator does: a replica that exits while starting (e.g. its first database
  // connection timed out on a busy machine) is started again, a few times.
  const start = async (replica: Replica) => {
    for (let attempt = 1; ; attempt++) {
      launch(replica);
      try {
        await waitReady(replica, 180_000);
        ready.add(replica.process!);
        return;
      } catch (error) {
        const child = replica.process!;
        if (attempt >= 5 || (child.exitCode === null && child.signalCode === null)) throw error;
        failedStarts.push(`${replica.service}#${replica.index}: ${(error as Error).message}`);
        log.write(
          `[chaos] ${replica.service}#${replica.index} failed to start; starting it again\n`,
        );
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  };

  let gateway: RunningGateway | undefined;
  const databaseUrl = (name: string) => withDatabase(o.databaseUrl, `${dbPrefix}${name}`);
  const stop = async () => {
    stopping = true;
    await gateway?.close();
    await Promise.all(
      replicas.map(async (r) => {
        const child = r.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(killer);
      }),
    );
    for (const b of balancers) await b.close();
    await dbProxy.close();
    for (const name of ["auth", "catalog", "orders", "notifier"])
      await dropDatabase(databaseUrl(name)).catch(() => undefined);
    await new KafkaClient({ brokers: o.kafkaBrokers.split(","), clientId: "chaos-cleanup" })
      .deleteTopics([topic, `${topic}.dlq`])
      .catch(() => undefined);
    log.end();
  };

  try {
    await migrateAll(specs, (line) => log.write(`${line}\n`));
    // One replica of each first (auth before the others fetch its key set, the topic created
    // once), then the second replicas together.
    for (const service of SERVICES) await start(replicas.find((r) => r.service === service)!);
    await Promise.all(replicas.filter((r) => !r.process).map(start));
    gateway = await startGateway({
      port: await freePort(),
      upstreams: {
        auth: portsOf("auth").map((p) => `127.0.0.1:${p}`),
        catalog: portsOf("catalog").map((p) => `127.0.0.1:${p}`),
        order: portsOf("order").map((p) => `127.0.0.1:${p}`),
        notifier: portsOf("notifier").map((p) => `127.0.0.1:${p}`),
      },
      log: (line) => log.write(`[gateway] ${line}\n`),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const authSpec = specOf("auth");
  return {
    gateway,
    dbProxy,
    replicas,
    topic,
    dbPrefix,
    databaseUrl,
    adminToken: () => adminTokenFor(authSpec),
    kill,
    start,
    unexpectedExits,
    failedStarts,
    stop,
  };
}
