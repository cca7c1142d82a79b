import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import Redis from "ioredis";
import { createLogger, dropDatabase, KafkaClient, withDatabase } from "@app/shared";
import { testServers, uniqueName } from "@app/shared/testing";
import { REPO, startStack, type RunningStack } from "../../../scripts/stack/stack";
import { adminToken, seedDemoCatalog } from "../../../scripts/stack/seed";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface E2eStack {
  gateway: string;
  stack: RunningStack;
  topic: string;
  databaseUrl(name: "auth" | "catalog" | "orders" | "notifier"): string;
  kafka: KafkaClient;
  admin: { email: string; password: string };
  logs: string[];
  /** What the start-up seed did, as `npm start` runs it. */
  seeded: { created: number; existing: number };
  runArchiver(
    args?: string[],
    env?: Record<string, string>,
  ): Promise<{ stdout: string; code: number }>;
  stop(): Promise<void>;
}

/** The whole system as `npm start` runs it, on its own ports, databases, topic and Redis prefix. */
export async function startE2eStack(): Promise<E2eStack> {
  const servers = testServers();
  const dbPrefix = `${uniqueName("e2e")}_`;
  const topic = uniqueName("e2e_order_events");
  const redisPrefix = `${dbPrefix}`;
  const ports = {
    gateway: await freePort(),
    auth: await freePort(),
    catalog: await freePort(),
    order: await freePort(),
    notifier: await freePort(),
    relay: await freePort(),
  };
  const admin = {
    email: `admin-${dbPrefix.toLowerCase()}@example.com`.replace(/_/g, "-"),
    password: "change-me-admin-1",
  };
  const logs: string[] = [];
  const kafka = new KafkaClient({
    brokers: servers.kafkaBrokers,
    clientId: "e2e",
    logger: createLogger({ service: "e2e", silent: true }),
  });
  const stack = await startStack({
    databaseUrl: withDatabase(servers.databaseUrl, ""),
    redisUrl: servers.redisUrl,
    kafkaBrokers: servers.kafkaBrokers.join(","),
    dbPrefix,
    redisPrefix,
    topic,
    ports,
    adminEmail: admin.email,
    adminPassword: admin.password,
    env: {
      LOG_LEVEL: "warn",
      BCRYPT_COST: "4",
      PAYMENT_DECLINE_ABOVE: "1000000",
      RELAY_POLL_INTERVAL_MS: "50",
      ORDER_EVENTS_PARTITIONS: "3",
    },
    log: (line) => logs.push(line),
  });
  const dbUrl = (name: string) => withDatabase(servers.databaseUrl, `${dbPrefix}${name}`);
  let seeded: E2eStack["seeded"];
  try {
    seeded = await seedDemoCatalog(
      stack.gateway.url,
      await adminToken(stack.gateway.url, admin.email, admin.password),
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return {
    seeded,
    gateway: stack.gateway.url,
    stack,
    topic,
    databaseUrl: dbUrl,
    kafka,
    admin,
    logs,
    async runArchiver(args = [], env = {}) {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [path.join(REPO, "services/archiver/dist/main.js"), ...args],
          {
            env: { ...process.env, DATABASE_URL: dbUrl("orders"), LOG_LEVEL: "warn", ...env },
          },
        );
        return { stdout, code: 0 };
      } catch (error) {
        const e = error as { stdout?: string; code?: number };
        return { stdout: e.stdout ?? "", code: e.code ?? 1 };
      }
    },
    async stop() {
      await stack.stop();
      for (const name of ["auth", "catalog", "orders", "notifier"])
        await dropDatabase(dbUrl(name)).catch(() => undefined);
      await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
      const redis = new Redis(servers.redisUrl);
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** A thin JSON client against the gateway that never throws on a status. */
export function client(base: string) {
  return async function call(
    method: string,
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body };
  };
}
