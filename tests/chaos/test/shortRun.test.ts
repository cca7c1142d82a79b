import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// The chaos run of `npm run chaos`, short: a minute of load with a fault every ten seconds,
// judged by the same ledger as the long run. The broker kill stays in the long run: a broker
// restart takes minutes on a loaded two-core machine.
describe("npm run chaos, one minute", () => {
  it("ends with faults injected, orders placed and 0 violations in the ledger", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chaos-short-"));
    const out = path.join(dir, "short.md");
    const lines: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(__dirname, "../src/main.ts")]
          .concat(["--duration", "60", "--seed", "7", "--users", "8", "--out", out])
          .concat(["--faults", "kill-order,kill-catalog,db-cut,db-stall,redis-restart"]),
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      child.stdout!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
      child.on("exit", resolve);
    });
    const last = lines.filter(Boolean).pop() ?? "";
    const report = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "(no report)";
    fs.rmSync(dir, { recursive: true, force: true });
    if (code !== 0) process.stderr.write(`${lines.join("\n")}\n${report}\n`);
    const [, faults, orders, violations] =
      /^chaos: (\d+) faults, (\d+) orders, (\d+) violations$/.exec(last) ?? [];
    expect({ code, violations: Number(violations) }).toEqual({ code: 0, violations: 0 });
    expect(Number(faults)).toBeGreaterThanOrEqual(5);
    expect(Number(orders)).toBeGreaterThan(0);
  });
});
