import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchResults, writeLatestJson } from "../../../bench/results";

// bench/results/latest.json is read by machines: its shape is the one issue #17 fixed.
describe("the benchmark's latest.json", () => {
  const input = {
    date: "2026-12-02",
    machine: { cores: 2, memoryGiB: 23.4 },
    placement: [
      {
        concurrency: 8,
        gatewayPerSecond: 120,
        rawPerSecond: 400,
        p50Ms: 60,
        p99Ms: 140,
        cpuMsPerOrder: 9.5,
      },
    ],
    relay: { defaultEventsPerSecond: 3000, toolEventsPerSecond: 6000 },
    notifier: { eventsPerSecond: 1000, toolEventsPerSecond: 4000, rawLimitPerSecond: 5000 },
    hotProduct: { created: 50, sellOutPerSecond: 40, uncontendedPerSecond: 160 },
    lag: { p50Ms: 30, p99Ms: 80 },
  };

  it("has exactly the agreed keys, with every ratio a fraction of its two figures", () => {
    // The input with a ratio beside each pair of figures, copied before benchResults sees it.
    const given = structuredClone(input);
    const expected = {
      ...given,
      placement: [{ ...given.placement[0], ratio: 0.3 }],
      relay: { ...given.relay, ratio: 0.5 },
      notifier: { ...given.notifier, ratio: 0.25 },
      hotProduct: { ...given.hotProduct, ratio: 0.25 },
    };
    expect(benchResults(input)).toEqual(expected);
  });

  it("keeps out extra fields it is given and says 0 when there is nothing to compare with", () => {
    const results = benchResults({
      ...input,
      machine: { ...input.machine, cpu: "x" } as typeof input.machine,
      relay: { defaultEventsPerSecond: 10, toolEventsPerSecond: 0 },
    });
    expect(Object.keys(results.machine)).toEqual(["cores", "memoryGiB"]);
    expect(results.relay.ratio).toBe(0);
  });

  it("is written as latest.json in the results directory", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-results-"));
    try {
      const file = writeLatestJson(dir, benchResults(input));
      expect(file).toBe(path.join(dir, "latest.json"));
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(benchResults(input));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
