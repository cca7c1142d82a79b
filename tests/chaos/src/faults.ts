// The faults of a chaos run, on a schedule the seed reproduces: kill -9 and restart of a replica
// of each service, the private broker and Redis killed (and Redis flushed), the database stalled,
// cut and refused through the TCP proxy, an archiver run in the middle.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { REPO } from "../../../scripts/stack/stack";
import type { Journal } from "./client";
import { sleep } from "./client";
import type { PrivateKafka, PrivateServer } from "./privateInfra";
import type { Random } from "./random";
import type { ReplicatedStack, ServiceName } from "./replicatedStack";

export const FAULT_KINDS = [
  "kill-auth",
  "kill-catalog",
  "kill-order",
  "kill-relay",
  "kill-notifier",
  "kafka-kill",
  "redis-restart",
  "redis-flush",
  "db-stall",
  "db-cut",
  "db-refuse",
  "archiver",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const KILLED: Partial<Record<FaultKind, ServiceName>> = {
  "kill-auth": "auth",
  "kill-catalog": "catalog",
  "kill-order": "order",
  "kill-relay": "outbox-relay",
  "kill-notifier": "notifier",
};

export interface PlannedFault {
  kind: FaultKind;
  /** Seconds after the load started. */
  at: number;
  /** Seconds the fault lasts before it is healed. */
  holdSeconds: number;
  /** Which replica (for kills), counted from 1. */
  replica: number;
}

export interface Fault extends PlannedFault {
  target: string;
  injectedAt: number;
  healedAt: number;
  note?: string;
}

/** Every kind in a seeded order, round after round, one fault per `gapSeconds`. */
export function planFaults(
  random: Random,
  kinds: readonly FaultKind[],
  durationSeconds: number,
  gapSeconds: number,
  replicas: number,
): PlannedFault[] {
  const plan: PlannedFault[] = [];
  const slots = Math.max(1, Math.floor((durationSeconds - gapSeconds / 2) / gapSeconds));
  let round: FaultKind[] = [];
  let archived = false;
  for (let slot = 0; slot < slots; slot++) {
    if (!round.length) {
      round = [...kinds];
      for (let i = round.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    let kind = round.shift()!;
    // One archiver run is the point ("in the middle"); more add nothing.
    if (kind === "archiver" && archived && round.length) kind = round.shift()!;
    if (kind === "archiver") archived = true;
    plan.push({
      kind,
      at: Math.round((slot + 0.5) * gapSeconds),
      holdSeconds: kind === "kafka-kill" ? random.int(5, 12) : random.int(2, 6),
      replica: random.int(1, replicas),
    });
  }
  return plan;
}

export interface FaultTargets {
  stack: ReplicatedStack;
  kafka: PrivateKafka;
  redis: PrivateServer & { flushAll(): Promise<void> };
  journal: Journal;
  log: (line: string) => void;
}

const run = promisify(execFile);

/** Faults after which a relay replica's readiness did not report Kafka down (the ledger's). */
export const readinessLies: string[] = [];

async function readinessSaysKafkaDown(url: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { checks?: Record<string, { status: string }> };
      if (res.status === 503 && body.checks?.kafka?.status === "fail") return true;
    } catch {
      // the replica itself may be busy; ask again
    }
    await sleep(250);
  }
  return false;
}

/** Injects one fault, holds it, heals it; returns when healed, with the times. */
export async function injectFault(planned: PlannedFault, t: FaultTargets): Promise<Fault> {
  const hold = () => sleep(planned.holdSeconds * 1000);
  const service = KILLED[planned.kind];
  let injectedAt = Date.now();
  let target: string = planned.kind;
  let note: string | undefined;
  if (service) {
    const replica = t.stack.replicas.find(
      (r) => r.service === service && r.index === planned.replica,
    )!;
    target = `${service}#${replica.index}`;
    // In the middle of requests: wait (briefly) until some are in flight.
    const until = Date.now() + 5_000;
    while (t.journal.inFlight === 0 && Date.now() < until) await sleep(10);
    injectedAt = Date.now();
    await t.stack.kill(replica);
    await hold();
    await t.stack.start(replica);
  } else if (planned.kind === "kafka-kill") {
    target = await t.kafka.killOne();
    if (t.kafka.brokers === 1) {
      // The relay's readiness must say Kafka is down while it is (a probe, not a cached state).
      const relays = t.stack.replicas.filter((r) => r.service === "outbox-relay");
      const saidDown = await Promise.all(relays.map((r) => readinessSaysKafkaDown(r.url)));
      note = `relay readiness reported Kafka down: ${saidDown.filter(Boolean).length}/${relays.length}`;
      if (!saidDown.every(Boolean)) readinessLies.push(note);
    }
    await hold();
    await t.kafka.restartKilled();
  } else if (planned.kind === "redis-restart") {
    await t.redis.kill();
    await hold();
    await t.redis.start();
  } else if (planned.kind === "redis-flush") {
    await t.redis.flushAll();
  } else if (planned.kind === "db-stall") {
    t.stack.dbProxy.blackhole(true);
    await hold();
    t.stack.dbProxy.blackhole(false);
  } else if (planned.kind === "db-cut") {
    t.stack.dbProxy.cutConnections();
  } else if (planned.kind === "db-refuse") {
    t.stack.dbProxy.down();
    await hold();
    t.stack.dbProxy.up();
  } else if (planned.kind === "archiver") {
    const result = await run(
      process.execPath,
      [path.join(REPO, "services/archiver/dist/main.js")],
      {
        env: {
          ...process.env,
          DATABASE_URL: t.stack.databaseUrl("orders"),
          LOG_LEVEL: "warn",
          ARCHIVE_AFTER_DAYS: "1",
        },
      },
    ).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, out: e.stdout ?? "" }),
    );
    note = `archiver exit ${result.code}: ${result.out.trim().split("\n").pop() ?? ""}`;
    if (result.code !== 0) throw new Error(note);
  }
  const fault = { ...planned, target, injectedAt, healedAt: Date.now(), note };
  t.log(
    `[chaos] fault ${planned.kind} on ${target}: ${((fault.healedAt - injectedAt) / 1000).toFixed(1)} s${note ? ` (${note})` : ""}`,
  );
  return fault;
}
