// chaos/results/<date>.md: a table per fault kind and the violations.
import type { Exchange } from "./client";
import type { LedgerResult } from "./ledger";

export interface RunSummary {
  command: string;
  seed: number;
  durationSeconds: number;
  replicas: number;
  /** 1: a single broker (kafka-kill stops all of Kafka); 3: a KRaft cluster, one broker killed at a time. */
  kafkaBrokers: number;
  users: number;
  startedAt: Date;
  wallSeconds: number;
  requests: number;
  ledger: LedgerResult;
  exchanges: Exchange[];
  notes: string[];
}

const seconds = (ms: number | undefined) => (ms === undefined ? "—" : (ms / 1000).toFixed(1));

function percentile(values: number[], p: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function outcomes(exchanges: Exchange[]): string {
  const counts = new Map<string, number>();
  for (const e of exchanges) {
    if (e.outcome === 200 || e.outcome === 201) continue;
    const key =
      typeof e.outcome === "number" ? `${e.outcome}${e.code ? ` ${e.code}` : ""}` : e.outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return (
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n}× ${k}`)
      .join(", ") || "none"
  );
}

export function renderReport(s: RunSummary): string {
  const { ledger } = s;
  const kinds = [...new Set(ledger.recoveries.map((r) => r.fault.kind))].sort();
  const lines = [
    `# Chaos run ${s.startedAt.toISOString()}`,
    "",
    `Command: \`${s.command}\``,
    "",
    `Seed ${s.seed}; load for ${s.durationSeconds} s (${s.wallSeconds.toFixed(0)} s wall clock with start-up, healing and the ledger); ${s.replicas} replicas of every service behind the nginx gateway; ${s.kafkaBrokers === 1 ? "a single Kafka broker" : `a ${s.kafkaBrokers}-broker KRaft cluster (replication factor ${s.kafkaBrokers}, min.insync.replicas 2; kafka-kill stops one broker at a time)`}; ${s.users} customers and an admin.`,
    "",
    `**${ledger.recoveries.length} faults, ${ledger.orders} orders, ${ledger.violations.length} violations**; ${s.requests} requests, ${ledger.events} events on the topic (${ledger.duplicatesOnTopic} duplicate deliveries by the relay, absorbed by the consumers).`,
    "",
    "Recovery is measured from the moment a fault is healed (the process or broker is back and ready, the proxy lifted): until a new placement succeeds; until the notifier stores its next notification (consumption resumed); until an order placed after healing gets its notification within 1 s of its commit; and until every order created before healing has its notification (the backlog the fault left; — when the next fault came first).",
    "",
    "| Fault | Injections | Orders recover p50 / max (s) | Notifier resumes p50 / max (s) | Notification lag < 1 s again p50 / max (s) | Notification backlog drained p50 / max (s) | Requests during | Non-2xx answers during |",
    "| ----- | ---------- | ---------------------------- | ------------------------------ | ------------------------------------------ | ------------------------------------------ | --------------- | ---------------------- |",
  ];
  for (const kind of kinds) {
    const rs = ledger.recoveries.filter((r) => r.fault.kind === kind);
    const orders = rs.map((r) => r.ordersMs).filter((x): x is number => x !== undefined);
    const resumed = rs.map((r) => r.resumedMs).filter((x): x is number => x !== undefined);
    const notes = rs.map((r) => r.notificationsMs).filter((x): x is number => x !== undefined);
    const backlog = rs.map((r) => r.backlogMs).filter((x): x is number => x !== undefined);
    const windows = ledger.recoveries
      .map((r, i) => ({ r, w: ledger.windows[i]! }))
      .filter(({ r }) => r.fault.kind === kind)
      .map(({ w }) => w);
    const during = s.exchanges.filter((e) =>
      windows.some(([a, b]) => e.startedAt <= b && e.endedAt >= a),
    );
    lines.push(
      `| ${kind} | ${rs.length} | ${seconds(percentile(orders, 50))} / ${seconds(percentile(orders, 100))} | ${seconds(percentile(resumed, 50))} / ${seconds(percentile(resumed, 100))} | ${seconds(percentile(notes, 50))} / ${seconds(percentile(notes, 100))}${notes.length < rs.length ? ` (${rs.length - notes.length} not reached)` : ""} | ${seconds(percentile(backlog, 50))} / ${seconds(percentile(backlog, 100))} | ${during.length} | ${outcomes(during)} |`,
    );
  }
  const lag = ledger.notificationLagMs;
  lines.push(
    "",
    `All answers other than 200/201 over the whole run: ${outcomes(s.exchanges)}.`,
    "",
    lag
      ? `Order committed to notification stored, every order of the run: p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms.`
      : "No notification lag measured.",
    "",
  );
  lines.push(
    "## Faults in order",
    "",
    "| # | Fault | Target | Held (s) | Orders recover (s) | Notifier resumes (s) | Notification lag < 1 s again (s) | Backlog drained (s) |",
    "| - | ----- | ------ | -------- | ------------------ | -------------------- | -------------------------------- | ------------------- |",
  );
  ledger.recoveries.forEach((r, i) =>
    lines.push(
      `| ${i + 1} | ${r.fault.kind} | ${r.fault.target}${r.fault.note ? ` (${r.fault.note})` : ""} | ${((r.fault.healedAt - r.fault.injectedAt) / 1000).toFixed(1)} | ${seconds(r.ordersMs)} | ${seconds(r.resumedMs)} | ${seconds(r.notificationsMs)} | ${seconds(r.backlogMs)} |`,
    ),
  );
  lines.push("", "## Violations", "");
  if (!ledger.violations.length) lines.push("None.");
  for (const v of ledger.violations) lines.push(`- **${v.name}**: ${v.detail}`);
  if (s.notes.length) lines.push("", "## Notes", "", ...s.notes.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}
