// Starts the whole system as child processes (what `npm start` runs and what the end-to-end
// suite drives): migrations, every service, the demo catalog and the gateway.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { runMigrations, withDatabase } from "@app/shared";
import { startGateway, type RunningGateway } from "./gateway";
import { startMailInbox, type MailInbox, type MailInboxOptions } from "./mailInbox";

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
  /**
   * The local SMTP server the notifier sends to (its inbox page on httpPort, each message also
   * appended to `file`; `parse: false` accepts and discards); without it the notifier sends no
   * email.
   */
  mailInbox?: MailInboxOptions;
  /** Set by startStack once the inbox runs: the notifier's SMTP port. */
  smtpPort?: number;
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

/** The token the services accept from each other in the local stack. */
export const INTERNAL_TOKEN = "local-internal-token";
/** Extra node flags for every service, e.g. STACK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const nodeArgs = (process.env.STACK_NODE_ARGS ?? "").split(" ").filter(Boolean);

export function serviceSpecs(o: StackOptions): ServiceSpec[] {
  const db = (name: string) => withDatabase(o.databaseUrl, `${o.dbPrefix}${name}`);
  const jwks = `http://127.0.0.1:${o.ports.auth}/.well-known/jwks.json`;
  const common = {
    NODE_ENV: "development",
    // Only the gateway is for callers; the services, with the published internal token, are not
    // for the network the machine is on.
    HOST: "127.0.0.1",
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
      env: {
        ...common,
        KAFKA_GROUP_ID: `${o.dbPrefix}notifier`,
        AUTH_URL: `http://127.0.0.1:${o.ports.auth}`,
        AUTH_TOKEN: INTERNAL_TOKEN,
        // Webhook URLs are held to production's rule (public https only): a dev stack reachable
        // with the published admin password must not call cloud metadata or the host's own ports
        // for anyone. WEBHOOK_ALLOW_PRIVATE_NETWORKS=true in the caller's environment lifts it.
        ...(o.smtpPort ? { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(o.smtpPort) } : {}),
        ...o.env,
      },
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
  /** The local mail server, when the options asked for one. */
  mailInbox?: MailInbox;
  services: Record<string, { url: string; process: ChildProcess }>;
  /** Stops one service (SIGTERM, or SIGKILL to crash it) while the rest keeps running. */
  stopService(name: string, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts a service again on its port: `env` adds variables, `entry` replaces `dist/main.js`
   * (node arguments, run in the service's directory), `ready: false` returns without waiting
   * for /health/ready (for an entry that does not serve it).
   */
  startService(
    name: string,
    options?: { env?: Record<string, string>; entry?: string[]; ready?: boolean },
  ): Promise<ChildProcess>;
  /** An admin access token from auth's own command, never through the throttled public login. */
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

/** Runs auth's admin-token command with the environment the auth service got. */
export async function adminTokenFor(spec: ServiceSpec): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["dist/adminToken.js"], {
    cwd: path.join(REPO, spec.dir),
    env: { ...process.env, ...spec.env, DATABASE_URL: spec.database ?? "" },
  });
  return (JSON.parse(stdout) as { accessToken: string }).accessToken;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill(signal);
  });
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => undefined);
  const mailInbox = options.mailInbox && (await startMailInbox(options.mailInbox));
  const o = { ...options, smtpPort: mailInbox?.smtpPort };
  const specs = serviceSpecs(o);
  await migrateAll(specs, log);
  const services: RunningStack["services"] = {};
  let stopping = false;
  // Services stopped on purpose (stopService): their exit is not a failure of the stack.
  const stoppedOnPurpose = new Set<ChildProcess>();
  // The last lines of each service, for the error when one fails to become ready.
  const lastLines = new Map<string, string[]>();
  const ready = async (name: string, child: ChildProcess) => {
    try {
      await waitReady(services[name]!.url, child, 60_000);
    } catch (error) {
      const lines = (lastLines.get(name) ?? []).join("\n  ");
      throw new Error(`${name}: ${(error as Error).message}; its last lines:\n  ${lines}`, {
        cause: error,
      });
    }
  };

  const stop = async () => {
    stopping = true;
    await gateway?.close();
    await Promise.all(Object.values(services).map((s) => stopChild(s.process)));
    await mailInbox?.close();
  };

  const launch = (spec: ServiceSpec, env: Record<string, string> = {}, entry?: string[]) => {
    const child = spawn(process.execPath, entry ?? [...nodeArgs, "dist/main.js"], {
      cwd: path.join(REPO, spec.dir),
      env: {
        ...process.env,
        ...spec.env,
        PORT: String(spec.port),
        DATABASE_URL: spec.database ?? "",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const recent: string[] = [];
    lastLines.set(spec.name, recent);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        log(`[${spec.name}] ${line}`);
        recent.push(line);
        if (recent.length > 20) recent.shift();
      });
    }
    child.on("exit", (code, signal) => {
      if (stopping || stoppedOnPurpose.has(child)) return;
      log(`[stack] ${spec.name} exited unexpectedly (code ${code}, signal ${signal})`);
      o.onUnexpectedExit?.(spec.name, code, signal);
    });
    services[spec.name] = { url: `http://127.0.0.1:${spec.port}`, process: child };
    return child;
  };

  const specOf = (name: string) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no service ${name} in the stack`);
    return spec;
  };

  const stopService = async (name: string, signal?: NodeJS.Signals) => {
    const child = services[specOf(name).name]!.process;
    stoppedOnPurpose.add(child);
    await stopChild(child, signal);
  };

  const startService: RunningStack["startService"] = async (name, options = {}) => {
    const spec = specOf(name);
    const running = services[name]!.process;
    if (running.exitCode === null && running.signalCode === null)
      throw new Error(`${name} is still running; stop it first`);
    const child = launch(spec, options.env, options.entry);
    if (options.ready !== false) await ready(name, child);
    return child;
  };

  let gateway: RunningGateway | undefined;
  try {
    for (const spec of specs) {
      const child = launch(spec);
      // Auth first: the others fetch its JWKS lazily, but the seed needs it.
      await ready(spec.name, child);
      log(`[stack] ${spec.name} ready on ${services[spec.name]!.url}`);
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
  const authSpec = specs.find((s) => s.name === "auth")!;
  return {
    gateway,
    mailInbox,
    services,
    adminToken: () => adminTokenFor(authSpec),
    stopService,
    startService,
    stop,
  };
}
