// `npm run chaos -- [--duration SECONDS] [--seed N] [--faults LIST] [--users N] [--out FILE]
// [--kafka-cluster 1|3]`: the whole system (two replicas of every service behind the nginx
// gateway, a private Redis and Kafka: one broker, or a three-node KRaft cluster with replication
// factor 3 where kafka-kill takes one broker down at a time) under load and seeded faults, then
// healed, settled and checked against the ledger.
// Prints `chaos: <faults> faults, <orders> orders, <violations> violations` last; exits 1 on any.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { REPO } from "../../../scripts/stack/stack";
import { Journal, sleep } from "./client";
import { FAULT_KINDS, injectFault, planFaults, type Fault, type FaultKind } from "./faults";
import { checkLedger } from "./ledger";
import { Load, type Placement, type Product, type User } from "./load";
import { privateKafka, privateRedis } from "./privateInfra";
import { Random } from "./random";
import { renderReport } from "./report";
import { startReplicatedStack } from "./replicatedStack";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "600" },
    seed: { type: "string", default: "42" },
    faults: { type: "string", default: FAULT_KINDS.join(",") },
    users: { type: "string" },
    replicas: { type: "string", default: "2" },
    "kafka-cluster": { type: "string", default: "1" },
    gap: { type: "string" },
    out: { type: "string" },
  },
});

const durationSeconds = Number(values.duration);
const seed = Number(values.seed);
const replicas = Number(values.replicas);
const kafkaBrokers = Number(values["kafka-cluster"]);
if (kafkaBrokers !== 1 && kafkaBrokers !== 3) {
  process.stderr.write("chaos: --kafka-cluster is 1 (one broker) or 3 (a KRaft cluster)\n");
  process.exit(2);
}
const users = Number(values.users ?? (durationSeconds >= 300 ? 24 : 12));
const kinds = values.faults!.split(",").map((k) => k.trim()) as FaultKind[];
const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
if (unknown.length) {
  process.stderr.write(
    `chaos: unknown fault(s) ${unknown.join(", ")}; known: ${FAULT_KINDS.join(", ")}\n`,
  );
  process.exit(2);
}
const gapSeconds = Number(values.gap ?? Math.max(10, Math.min(18, durationSeconds / 6)));
const startedAt = new Date();
const out =
  values.out ?? path.join(REPO, "chaos/results", `${startedAt.toISOString().slice(0, 10)}.md`);
const logFile = `${out.replace(/\.md$/, "")}.log`;
const log = (line: string) => process.stdout.write(`${line}\n`);

const SERVICE_ENV = {
  LOG_LEVEL: "warn",
  BCRYPT_COST: "4",
  PAYMENT_DECLINE_ABOVE: "100000000",
  RELAY_POLL_INTERVAL_MS: "100",
  ORDER_EVENTS_PARTITIONS: "3",
  // Ten processes share MariaDB with everyone else on the machine.
  DATABASE_POOL_SIZE: "4",
  // A loaded two-core machine answers slower than production: the breaker towards the catalog
  // opens on real outages, not on a busy scheduler.
  BREAKER_TIMEOUT_MS: "6000",
  BREAKER_RESET_TIMEOUT_MS: "3000",
  REGISTER_MAX_PER_CLIENT: "100000",
  ACCESS_TOKEN_TTL_SECONDS: "7200",
  // Stock held for a placement that never finished comes back within the run.
  RESERVATION_TTL_SECONDS: "20",
  SWEEPER_INTERVAL_MS: "2000",
  RECOVERY_INTERVAL_MS: "2000",
  PLACEMENT_LEASE_MS: "15000",
};

async function aCatalog(gateway: string, token: string, random: Random): Promise<Product[]> {
  const products: Product[] = [];
  for (let i = 0; i < 13; i++) {
    const hot = i === 0;
    const initial = hot ? 60 : random.int(2000, 4000);
    const res = await fetch(`${gateway}/api/v1/products`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        sku: `CHAOS-${randomUUID().slice(0, 8)}`,
        name: hot ? "The hot one" : `Cold product ${i}`,
        price: random.int(100, 5000),
        currency: "EUR",
        initialQuantity: initial,
      }),
    });
    if (res.status !== 201) throw new Error(`product: ${res.status} ${await res.text()}`);
    products.push({ id: ((await res.json()) as { id: string }).id, initial, hot });
  }
  return products;
}

async function someUsers(journal: Journal, n: number): Promise<User[]> {
  const created: User[] = [];
  for (let i = 0; i < n; i++) {
    const email = `chaos-${randomUUID()}@example.com`;
    const password = "chaos-password-1";
    const reg = await journal.send("register", "POST", "/api/v1/auth/register", {
      body: { email, password },
    });
    if (reg.outcome !== 201) throw new Error(`register: ${reg.outcome} ${reg.text}`);
    const login = await journal.send("login", "POST", "/api/v1/auth/login", {
      body: { email, password },
    });
    if (login.outcome !== 200) throw new Error(`login: ${login.outcome} ${login.text}`);
    created.push({ id: reg.body.id, email, password, token: login.body.accessToken, orders: [] });
  }
  return created;
}

/** After healing: every key that got a 201 is sent again and must answer the same 201. */
async function replayAll(journal: Journal, load: Load, byId: Map<string, User>) {
  const queue = load.placements.filter((p) => p.orderId);
  const replays: { placement: Placement; status: number | string; text: string }[] = [];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const user = byId.get(p.userId)!;
      const answer = await journal.send("replay", "POST", "/api/v1/orders", {
        token: user.token,
        headers: { "Idempotency-Key": p.key },
        body: p.body,
      });
      replays.push({ placement: p, status: answer.outcome, text: answer.text ?? "" });
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return replays;
}

async function main(): Promise<number> {
  const wallStart = Date.now();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(logFile, "");
  const scheduleRandom = new Random(seed);
  const loadRandom = new Random(seed ^ 0x5eed);
  const plan = planFaults(scheduleRandom, kinds, durationSeconds, gapSeconds, replicas);
  log(
    `[chaos] seed ${seed}, ${durationSeconds} s, ${plan.length} faults planned: ${plan.map((f) => f.kind).join(" ")}`,
  );
  log(`[chaos] service logs: ${path.relative(process.cwd(), logFile)}`);

  const redis = await privateRedis();
  const kafka = await privateKafka(kafkaBrokers).catch(async (error: unknown) => {
    await redis.remove();
    throw error;
  });
  log(`[chaos] private redis ${redis.address}, kafka ${kafka.address}`);
  let stack: Awaited<ReturnType<typeof startReplicatedStack>> | undefined;
  try {
    stack = await startReplicatedStack({
      label: "chaos",
      databaseUrl: process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/",
      redisUrl: redis.address,
      kafkaBrokers: kafka.address,
      replicas,
      env: SERVICE_ENV,
      logFile,
    });
    log(`[chaos] ${stack.replicas.length} replicas ready behind ${stack.gateway.url}`);
    const journal = new Journal(stack.gateway.url);
    const adminToken = await stack.adminToken();
    const products = await aCatalog(stack.gateway.url, adminToken, loadRandom);
    const customers = await someUsers(journal, users);
    const load = new Load(journal, customers, products, async () => adminToken, loadRandom);
    const loadStart = Date.now();
    load.start();
    const faults: Fault[] = [];
    for (const planned of plan) {
      const due = loadStart + planned.at * 1000;
      if (Date.now() < due) await sleep(due - Date.now());
      faults.push(await injectFault(planned, { stack, kafka, redis, journal, log }));
    }
    // The last fault's recovery is measured too: load goes on a while after it healed.
    const lastHeal = faults.length ? faults[faults.length - 1]!.healedAt : 0;
    const end = Math.max(loadStart + durationSeconds * 1000, lastHeal + 45_000);
    if (Date.now() < end) await sleep(end - Date.now());
    await load.stop();
    log(
      `[chaos] load stopped: ${journal.exchanges.length} requests, ${load.createdOrders.length} orders acknowledged; settling`,
    );
    const byId = new Map(customers.map((u) => [u.id, u]));
    const replays = await replayAll(journal, load, byId);
    const ledger = await checkLedger({
      stack,
      kafkaBrokers: kafka.address.split(","),
      load,
      products,
      exchanges: journal.exchanges.filter((e) => e.op !== "replay"),
      faults,
      replays,
      settleTimeoutMs: 180_000,
    });
    // The replays come after healing: any 5xx there is a violation too.
    for (const e of journal.exchanges.filter((x) => x.op === "replay"))
      if (typeof e.outcome === "number" && e.outcome >= 500)
        ledger.violations.push({
          name: "server-error",
          detail: `replay after healing ${e.outcome} ${e.code ?? ""}`,
        });
    const command = `npm run chaos -- ${process.argv.slice(2).join(" ")}`.trim();
    // Formatted as `npm run lint` wants every markdown file: the report gets committed.
    const format = async (markdown: string) =>
      (await import("prettier")).format(markdown, { parser: "markdown" });
    fs.writeFileSync(
      out,
      await format(
        renderReport({
          command,
          seed,
          durationSeconds,
          replicas,
          kafkaBrokers,
          users,
          startedAt,
          wallSeconds: (Date.now() - wallStart) / 1000,
          requests: journal.exchanges.length,
          ledger,
          exchanges: journal.exchanges,
          notes: stack.failedStarts.map(
            (f) =>
              `a replica exited while starting and was started again (as an orchestrator would): ${f}`,
          ),
        }),
      ),
    );
    for (const v of ledger.violations) log(`[chaos] violation ${v.name}: ${v.detail}`);
    log(`[chaos] report: ${path.relative(process.cwd(), out)}`);
    log(
      `chaos: ${faults.length} faults, ${ledger.orders} orders, ${ledger.violations.length} violations`,
    );
    return ledger.violations.length ? 1 : 0;
  } finally {
    await stack?.stop().catch(() => undefined);
    await kafka.remove();
    await redis.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
