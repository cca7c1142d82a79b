// Starts the whole system as child processes (what `npm start` runs and what the end-to-end
// suite drives): migrations, every service, the demo catalog and the gateway.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { runMigrations, withDatabase } from "@app/shared";
import { startGateway, type RunningGateway } from "./gateway";

export const REPO = path.resolve(__dirname, "../..");

export interface StackOptions {
  /** Server URL without a database; each service gets `<dbPrefix><name>`. */
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  dbPrefix: string;
  redisPrefix: string;
  topic: string;
  ports: {
    gateway: number;
    auth: number;
    catalog: number;
    order: number;
    notifier: number;
    relay: number;
  };
  adminEmail: string;
  adminPassword: string;
  /** Where the gateway keeps its rendered nginx.conf, pid file and temp paths (default: a
   * fresh temp directory). */
  gatewayDir?: string;
  /** Extra variables for every service (e.g. faster intervals in tests). */
  env?: Record<string, string>;
  /** Where service log lines go (prefixed); silent when omitted. */
  log?: (line: string) => void;
  /** Called once when a service exits while the stack is supposed to run. */
  onUnexpectedExit?: (service: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface ServiceSpec {
  name: string;
  dir: string;
  database?: string;
  migrations?: boolean;
  port: number;
  env: Record<string, string>;
}

const INTERNAL_TOKEN = "local-internal-token";
/** Extra node flags for every service, e.g. STACK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const nodeArgs = (process.env.STACK_NODE_ARGS ?? "").split(" ").filter(Boolean);

export function serviceSpecs(o: StackOptions): ServiceSpec[] {
  const db = (name: string) => withDatabase(o.databaseUrl, `${o.dbPrefix}${name}`);
  const jwks = `http://127.0.0.1:${o.ports.auth}/.well-known/jwks.json`;
  const common = {
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    REDIS_URL: o.redisUrl,
    KAFKA_BROKERS: o.kafkaBrokers,
    ORDER_EVENTS_TOPIC: o.topic,
    JWKS_URL: jwks,
    INTERNAL_TOKENS: INTERNAL_TOKEN,
    CATALOG_TOKEN: INTERNAL_TOKEN,
    ORDER_TOKEN: INTERNAL_TOKEN,
    CATALOG_URL: `http://127.0.0.1:${o.ports.catalog}`,
    ORDER_SERVICE_URL: `http://127.0.0.1:${o.ports.order}`,
    ...o.env,
  };
  return [
    {
      name: "auth",
      dir: "services/auth",
      database: db("auth"),
      migrations: true,
      port: o.ports.auth,
      env: {
        ...common,
        REDIS_KEY_PREFIX: `${o.redisPrefix}auth:`,
        ADMIN_EMAIL: o.adminEmail,
        ADMIN_PASSWORD: o.adminPassword,
        KEYS_DIR: path.join(REPO, ".local/keys"),
      },
    },
    {
      name: "catalog",
      dir: "services/catalog",
      database: db("catalog"),
      migrations: true,
      port: o.ports.catalog,
      env: {
        ...common,
        REDIS_KEY_PREFIX: `${o.redisPrefix}catalog:`,
        KAFKA_GROUP_ID: `${o.dbPrefix}catalog`,
      },
    },
    {
      name: "order",
      dir: "services/order",
      database: db("orders"),
      migrations: true,
      port: o.ports.order,
      env: { ...common, REDIS_KEY_PREFIX: `${o.redisPrefix}order:` },
    },
    {
      name: "outbox-relay",
      dir: "services/outbox-relay",
      database: db("orders"),
      port: o.ports.relay,
      env: { ...common },
    },
    {
      name: "notifier",
      dir: "services/notifier",
      database: db("notifier"),
      migrations: true,
      port: o.ports.notifier,
      env: { ...common, KAFKA_GROUP_ID: `${o.dbPrefix}notifier` },
    },
  ];
}

export async function migrateAll(specs: ServiceSpec[], log: (line: string) => void): Promise<void> {
  for (const spec of specs.filter((s) => s.migrations && s.database)) {
    const result = await runMigrations({
      databaseUrl: spec.database!,
      dir: path.join(REPO, spec.dir, "migrations"),
    });
    log(
      `[stack] ${spec.name}: ${result.applied.length} migration(s) applied, ${result.alreadyApplied} already applied`,
    );
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

export interface RunningStack {
  gateway: RunningGateway;
  services: Record<string, { url: string; process: ChildProcess }>;
  stop(): Promise<void>;
}

export async function startStack(o: StackOptions): Promise<RunningStack> {
  const log = o.log ?? (() => undefined);
  const specs = serviceSpecs(o);
  await migrateAll(specs, log);
  const services: RunningStack["services"] = {};
  let stopping = false;
  const children: ChildProcess[] = [];

  const stop = async () => {
    stopping = true;
    await gateway?.close();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
            child.once("exit", () => {
              clearTimeout(killer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  };

  let gateway: RunningGateway | undefined;
  try {
    for (const spec of specs) {
      const child = spawn(process.execPath, [...nodeArgs, "dist/main.js"], {
        cwd: path.join(REPO, spec.dir),
        env: {
          ...process.env,
          ...spec.env,
          PORT: String(spec.port),
          DATABASE_URL: spec.database ?? "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      for (const stream of [child.stdout!, child.stderr!]) {
        createInterface({ input: stream }).on("line", (line) => log(`[${spec.name}] ${line}`));
      }
      child.on("exit", (code, signal) => {
        if (stopping) return;
        log(`[stack] ${spec.name} exited unexpectedly (code ${code}, signal ${signal})`);
        o.onUnexpectedExit?.(spec.name, code, signal);
      });
      const url = `http://127.0.0.1:${spec.port}`;
      services[spec.name] = { url, process: child };
      // Auth first: the others fetch its JWKS lazily, but the seed needs it.
      await waitReady(url, child, 60_000);
      log(`[stack] ${spec.name} ready on ${url}`);
    }
    const upstream = (name: string) => [`127.0.0.1:${specs.find((s) => s.name === name)!.port}`];
    gateway = await startGateway({
      port: o.ports.gateway,
      upstreams: {
        auth: upstream("auth"),
        catalog: upstream("catalog"),
        order: upstream("order"),
        notifier: upstream("notifier"),
      },
      runDir: o.gatewayDir,
      log: (line) => log(`[gateway] ${line}`),
    });
    log(`[stack] gateway (nginx, ${gateway.configFile}) on http://localhost:${gateway.port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { gateway, services, stop };
}
