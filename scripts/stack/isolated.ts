// The whole system as `npm start` runs it, but on free ports, its own databases, topic and
// Redis prefix, so it never collides with a running dev stack: what the end-to-end suite and
// the benchmark drive. `stop()` removes everything it created.
import fs from "node:fs";
import path from "node:path";
import Redis from "ioredis";
import { KafkaClient, withDatabase } from "@app/shared";
import { dropDatabase, freePort } from "@app/shared/testing";
import { seedDemoCatalog } from "./seed";
import { startStack, type RunningStack } from "./stack";

export interface IsolatedStackOptions {
  /** Prefix of the databases, topic and Redis keys (a unique suffix is added). */
  label: string;
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
  /** Extra variables for every service. */
  env?: Record<string, string>;
  /** false: the mail server accepts and discards every email (the benchmark); default true. */
  parseMail?: boolean;
  /** Also append every service's log lines to this file (read after a failed test run). */
  logFile?: string;
}

export interface IsolatedStack {
  gateway: string;
  stack: RunningStack;
  topic: string;
  /** Prefix of every service's Redis keys (the catalog's are `${redisPrefix}catalog:`). */
  redisPrefix: string;
  databaseUrl(name: "auth" | "catalog" | "orders" | "notifier"): string;
  admin: { email: string; password: string };
  /** What the start-up seed did, as `npm start` runs it. */
  seeded: { created: number; existing: number };
  /** Every service's log lines, prefixed with its name. */
  logs: string[];
  stop(): Promise<void>;
}

export async function startIsolatedStack(o: IsolatedStackOptions): Promise<IsolatedStack> {
  const unique = `${o.label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const dbPrefix = `${unique}_`;
  const topic = `${unique}_order_events`;
  const ports = {
    gateway: await freePort(),
    auth: await freePort(),
    catalog: await freePort(),
    order: await freePort(),
    notifier: await freePort(),
    relay: await freePort(),
  };
  const admin = {
    email: `admin-${unique.replace(/_/g, "-")}@example.com`,
    password: "change-me-admin-1",
  };
  const logs: string[] = [];
  if (o.logFile) fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
  const stack = await startStack({
    databaseUrl: withDatabase(o.databaseUrl, ""),
    redisUrl: o.redisUrl,
    kafkaBrokers: o.kafkaBrokers.join(","),
    dbPrefix,
    redisPrefix: dbPrefix,
    topic,
    ports,
    adminEmail: admin.email,
    adminPassword: admin.password,
    mailInbox: { smtpPort: 0, httpPort: 0, parse: o.parseMail },
    env: { LOG_LEVEL: "warn", ...o.env },
    log: (line) => {
      logs.push(line);
      // Written as it comes, so a run that hangs or is killed still leaves its lines.
      if (o.logFile) fs.appendFileSync(o.logFile, `${new Date().toISOString()} ${line}\n`);
    },
  });
  const databaseUrl = (name: string) => withDatabase(o.databaseUrl, `${dbPrefix}${name}`);
  const stop = async () => {
    await stack.stop();
    for (const name of ["auth", "catalog", "orders", "notifier"])
      await dropDatabase(databaseUrl(name)).catch(() => undefined);
    await new KafkaClient({ brokers: o.kafkaBrokers, clientId: "isolated-stack" })
      .deleteTopics([topic, `${topic}.dlq`])
      .catch(() => undefined);
    const redis = new Redis(o.redisUrl);
    const keys = await redis.keys(`${dbPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  };
  try {
    const seeded = await seedDemoCatalog(stack.gateway.url, await stack.adminToken());
    return {
      gateway: stack.gateway.url,
      stack,
      topic,
      redisPrefix: dbPrefix,
      databaseUrl,
      admin,
      seeded,
      logs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
