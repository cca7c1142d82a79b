import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { createLogger, KafkaClient } from "@app/shared";
import { call, testServers } from "@app/shared/testing";
import { REPO } from "../../../scripts/stack/stack";
import { startIsolatedStack, type IsolatedStack } from "../../../scripts/stack/isolated";
import { logFileFor } from "../stackLogs";

export interface E2eStack extends IsolatedStack {
  kafka: KafkaClient;
  runArchiver(
    args?: string[],
    env?: Record<string, string>,
  ): Promise<{ stdout: string; code: number }>;
}

/** Five services started one after another, migrations and the seed: minutes on a busy machine. */
export const STACK_START_TIMEOUT_MS = 420_000;

/**
 * The whole system as `npm start` runs it, on its own ports, databases, topic and Redis prefix;
 * `env` adds variables for every service (e.g. a short reservation TTL).
 */
export async function startE2eStack(env: Record<string, string> = {}): Promise<E2eStack> {
  const servers = testServers();
  const stack = await startIsolatedStack({
    label: "e2e",
    databaseUrl: servers.databaseUrl,
    redisUrl: servers.redisUrl,
    kafkaBrokers: servers.kafkaBrokers,
    env: {
      BCRYPT_COST: "4",
      PAYMENT_DECLINE_ABOVE: "1000000",
      RELAY_POLL_INTERVAL_MS: "50",
      ORDER_EVENTS_PARTITIONS: "3",
      ...env,
    },
    // Printed under the report when a test of this file fails (stackLogs.js).
    logFile: logFileFor(expect.getState().testPath ?? "unknown", randomUUID().slice(0, 8)),
  });
  const kafka = new KafkaClient({
    brokers: servers.kafkaBrokers,
    clientId: "e2e",
    logger: createLogger({ service: "e2e", silent: true }),
  });
  return {
    ...stack,
    kafka,
    async runArchiver(args = [], env = {}) {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [path.join(REPO, "services/archiver/dist/main.js"), ...args],
          {
            env: {
              ...process.env,
              DATABASE_URL: stack.databaseUrl("orders"),
              LOG_LEVEL: "warn",
              ...env,
            },
          },
        );
        return { stdout, code: 0 };
      } catch (error) {
        const e = error as { stdout?: string; code?: number };
        return { stdout: e.stdout ?? "", code: e.code ?? 1 };
      }
    },
  };
}

/** A thin JSON client against the gateway that never throws on a status. */
export function client(base: string) {
  return (method: string, url: string, options?: Parameters<typeof call>[3]) =>
    call(base, method, url, options);
}
