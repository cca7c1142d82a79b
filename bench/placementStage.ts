// Placement through the gateway of a stack started as `npm start` runs it: the phase of
// `npm run bench` that `bench/stage.ts placement` also runs on its own.
import { uniqueName } from "@app/shared/testing";
import { startIsolatedStack, type IsolatedStack } from "../scripts/stack/isolated";
import { createProducts, customer } from "./client";
import { cpuMs, cpuMsByLabel, stackProcesses } from "./cpu";
import { loadPlacement, type LoadResult } from "./placement";
import { perOrder, roundTripCounter, type RoundTrips } from "./serverCounters";
import { round } from "./stats";

export interface PlacementRun extends LoadResult {
  /** User + system CPU of every process of the stack over the phase, per created order. */
  cpuMsPerOrder: number;
  /** The same per process (services by name, nginx, mariadbd, redis-server, kafka). */
  cpuMsPerOrderBy: Record<string, number>;
  /** Statements to the database and commands to Redis over the phase, per created order. */
  roundTripsPerOrder: RoundTrips;
  /** Emails the stack's mail server accepted over the phase: the notifier still sends them all. */
  emailsAccepted: number;
  /**
   * CPU of the bench's own process per order (load generator and mail server): not in
   * cpuMsPerOrder, but taken from the same two cores.
   */
  benchCpuMsPerOrder: number;
}

export interface BenchStack {
  e: IsolatedStack;
  /** The servers the stack runs on (their counters give the round trips). */
  servers: { databaseUrl: string; redisUrl: string };
  admin: string;
  tokens: string[];
  products: string[];
}

/** The servers named by DATABASE_URL, REDIS_URL and KAFKA_BROKERS (the bench's entry points set defaults). */
export function benchServers(): { databaseUrl: string; redisUrl: string; kafkaBrokers: string[] } {
  return {
    databaseUrl: process.env.DATABASE_URL!,
    redisUrl: process.env.REDIS_URL!,
    kafkaBrokers: process.env.KAFKA_BROKERS!.split(","),
  };
}

/** A few seconds of orders at c=8 before a measured phase: JIT, pools, JWKS cache. */
export function warmUp(b: BenchStack): Promise<LoadResult> {
  return loadPlacement(b.e.gateway, b.tokens, b.products, 8, 3);
}

/** The stack with `npm start`'s settings, `buyers` signed-up customers and 100 products. */
export async function startBenchStack(
  o: { databaseUrl: string; redisUrl: string; kafkaBrokers: string[] },
  buyers: number,
): Promise<BenchStack> {
  const e = await startIsolatedStack({
    label: "bench",
    ...o,
    // The emails go over SMTP as in production, but are not parsed here: the bench's own
    // process shares the two cores it measures, and a user's mail relay runs elsewhere.
    parseMail: false,
    // Cheap hashing only so that 100 buyers can sign up quickly, at once and from one address
    // (past the registration limits); no measured path hashes.
    env: {
      // What `npm start`, compose and the chart run (the isolated stack's default is quieter).
      LOG_LEVEL: "info",
      BCRYPT_COST: "4",
      PAYMENT_DECLINE_ABOVE: "1000000000",
      REGISTER_MAX_PER_CLIENT: "1000",
      LOGIN_MAX_FAILURES_PER_CLIENT: "1000",
      REGISTER_HASHING_MAX_IN_FLIGHT: "100",
    },
  });
  try {
    const admin = await e.stack.adminToken();
    const signedUp = await Promise.all(
      Array.from({ length: buyers }, (_, i) =>
        customer(
          e.gateway,
          `buyer-${i}-${uniqueName("b").toLowerCase().replace(/_/g, "-")}@example.com`,
        ),
      ),
    );
    const products = await createProducts(e.gateway, admin, 100, 1_000_000, "LOAD");
    return {
      e,
      servers: { databaseUrl: o.databaseUrl, redisUrl: o.redisUrl },
      admin,
      tokens: signedUp.map((b) => b.token),
      products,
    };
  } catch (error) {
    await e.stop();
    throw error;
  }
}

/** Orders through the gateway for `seconds` at each concurrency, after a short warm-up. */
export async function measurePlacement(
  b: BenchStack,
  concurrencies: number[],
  seconds: number,
  log: (line: string) => void = () => undefined,
): Promise<PlacementRun[]> {
  await warmUp(b);
  // CPU of every process serving an order: services, nginx, and the shared servers.
  const pids = stackProcesses([
    ...Object.values(b.e.stack.services).map((s) => s.process.pid!),
    b.e.stack.gateway.process.pid!,
  ]);
  const runs: PlacementRun[] = [];
  const roundTrips = roundTripCounter(b.servers.databaseUrl, b.servers.redisUrl);
  try {
    for (const c of concurrencies) {
      const before = cpuMsByLabel(pids);
      const total = cpuMs(pids);
      const tripsBefore = await roundTrips.read();
      const emailsBefore = b.e.stack.mailInbox!.accepted;
      const benchBefore = process.cpuUsage();
      const result = await loadPlacement(b.e.gateway, b.tokens, b.products, c, seconds);
      const benchUsed = process.cpuUsage(benchBefore);
      const tripsAfter = await roundTrips.read();
      const orders = Math.max(1, result.created);
      const after = cpuMsByLabel(pids);
      const cpuMsPerOrderBy = Object.fromEntries(
        Object.entries(after)
          .map(([label, ms]) => [label, round((ms - (before[label] ?? 0)) / orders, 2)] as const)
          .sort((x, y) => y[1] - x[1]),
      );
      runs.push({
        ...result,
        cpuMsPerOrder: round((cpuMs(pids) - total) / orders, 2),
        cpuMsPerOrderBy,
        roundTripsPerOrder: perOrder(tripsBefore, tripsAfter, result.created),
        emailsAccepted: b.e.stack.mailInbox!.accepted - emailsBefore,
        benchCpuMsPerOrder: round((benchUsed.user + benchUsed.system) / 1000 / orders, 2),
      });
      log(`  c=${c}: ${JSON.stringify(runs[runs.length - 1])}`);
    }
  } finally {
    await roundTrips.close();
  }
  return runs;
}

/** Until the mail server has taken no email for `quietMs` (at most `maxMs`): the backlog is drained. */
async function untilNoMoreEmails(b: BenchStack, quietMs = 2000, maxMs = 30_000): Promise<void> {
  const inbox = b.e.stack.mailInbox!;
  const deadline = Date.now() + maxMs;
  let seen = inbox.accepted;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (inbox.accepted !== seen) [seen, quietSince] = [inbox.accepted, Date.now()];
  }
}

/**
 * Placement with the outbox relay stopped: no event leaves the outbox, so nothing runs after an
 * answer (no confirmation, notification or email; the consumers and workers only poll). What
 * the answer path alone costs, beside the whole stack's figure. The stack keeps no relay after.
 */
export async function measureAnswerPath(
  b: BenchStack,
  concurrency: number,
  seconds: number,
  log: (line: string) => void = () => undefined,
): Promise<PlacementRun> {
  await b.e.stack.stopService("outbox-relay");
  await untilNoMoreEmails(b);
  const [run] = await measurePlacement(b, [concurrency], seconds, log);
  return run!;
}

/** The placement phase alone: its own stack, stopped afterwards. */
export async function placementThroughGateway(
  concurrencies: number[],
  seconds: number,
): Promise<PlacementRun[]> {
  const b = await startBenchStack(benchServers(), 20);
  try {
    return await measurePlacement(b, concurrencies, seconds, (line) =>
      process.stderr.write(`[bench] ${line}\n`),
    );
  } finally {
    await b.e.stop();
  }
}
