// bench/results/latest.json: the run's figures for machines (CI, trend charts), in the shape
// issue #17 asks for. Ratios are fractions (0.35 = 35 %).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { round } from "./stats";

export interface BenchResults {
  date: string;
  machine: { cores: number; memoryGiB: number };
  placement: {
    concurrency: number;
    gatewayPerSecond: number;
    rawPerSecond: number;
    ratio: number;
    p50Ms: number;
    p99Ms: number;
    cpuMsPerOrder: number;
  }[];
  relay: { defaultEventsPerSecond: number; toolEventsPerSecond: number; ratio: number };
  notifier: {
    eventsPerSecond: number;
    toolEventsPerSecond: number;
    ratio: number;
    rawLimitPerSecond: number;
  };
  hotProduct: {
    created: number;
    sellOutPerSecond: number;
    uncontendedPerSecond: number;
    ratio: number;
  };
  lag: { p50Ms: number; p99Ms: number };
}

/** part / whole as a fraction with three decimals; 0 when there is no whole to compare with. */
export const fraction = (part: number, whole: number) => (whole > 0 ? round(part / whole, 3) : 0);

/** The figures with every ratio computed from its two numbers. */
export function benchResults(input: {
  date: string;
  machine: BenchResults["machine"];
  placement: Omit<BenchResults["placement"][number], "ratio">[];
  relay: Omit<BenchResults["relay"], "ratio">;
  notifier: Omit<BenchResults["notifier"], "ratio">;
  hotProduct: Omit<BenchResults["hotProduct"], "ratio">;
  lag: BenchResults["lag"];
}): BenchResults {
  return {
    date: input.date,
    machine: { cores: input.machine.cores, memoryGiB: input.machine.memoryGiB },
    placement: input.placement.map((p) => ({
      concurrency: p.concurrency,
      gatewayPerSecond: p.gatewayPerSecond,
      rawPerSecond: p.rawPerSecond,
      ratio: fraction(p.gatewayPerSecond, p.rawPerSecond),
      p50Ms: p.p50Ms,
      p99Ms: p.p99Ms,
      cpuMsPerOrder: p.cpuMsPerOrder,
    })),
    relay: {
      defaultEventsPerSecond: input.relay.defaultEventsPerSecond,
      toolEventsPerSecond: input.relay.toolEventsPerSecond,
      ratio: fraction(input.relay.defaultEventsPerSecond, input.relay.toolEventsPerSecond),
    },
    notifier: {
      eventsPerSecond: input.notifier.eventsPerSecond,
      toolEventsPerSecond: input.notifier.toolEventsPerSecond,
      ratio: fraction(input.notifier.eventsPerSecond, input.notifier.toolEventsPerSecond),
      rawLimitPerSecond: input.notifier.rawLimitPerSecond,
    },
    hotProduct: {
      created: input.hotProduct.created,
      sellOutPerSecond: input.hotProduct.sellOutPerSecond,
      uncontendedPerSecond: input.hotProduct.uncontendedPerSecond,
      ratio: fraction(input.hotProduct.sellOutPerSecond, input.hotProduct.uncontendedPerSecond),
    },
    lag: { p50Ms: input.lag.p50Ms, p99Ms: input.lag.p99Ms },
  };
}

/** Writes `<dir>/latest.json` (pretty, newline-terminated); returns its path. */
export function writeLatestJson(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "latest.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
