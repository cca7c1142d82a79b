import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

// Real processes: exit codes and what reaches stdout are the contract with the orchestrator.
const DIST = JSON.stringify(path.join(__dirname, "../dist"));

function script(start: string): string {
  return `
    const { z } = require("zod");
    const { env, loadConfig, runUntilSignalled } = require(${DIST});
    const schema = z.object({ LOG_LEVEL: env.logLevel(), PORT: env.port(3000) });
    runUntilSignalled("demo", () => loadConfig(schema, process.env), ${start});
  `;
}

function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("runUntilSignalled", () => {
  test("exits 78 with one line naming the bad variable when the configuration is invalid", () => {
    const result = spawnSync(
      process.execPath,
      ["-e", script("async () => ({ close: async () => {} })")],
      {
        env: { PATH: process.env.PATH, PORT: "99999" },
        encoding: "utf8",
      },
    );

    expect(result.status).toBe(78);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining("PORT")]);
  });

  test("logs a failed start as one JSON error line and exits 1", () => {
    const result = spawnSync(
      process.execPath,
      ["-e", script('async () => { throw new Error("port 3000 in use"); }')],
      { env: { PATH: process.env.PATH }, encoding: "utf8" },
    );

    expect(result.status).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "failed to start",
        service: "demo",
        error: expect.objectContaining({ message: "port 3000 in use" }),
      }),
    ]);
  });

  test("runs the service until SIGTERM, then closes it and exits 0", async () => {
    const child = spawn(
      process.execPath,
      [
        "-e",
        // "started" is logged once the start has resolved and the signal handlers are in place.
        script(`async (config, logger) => {
          setImmediate(() => logger.info("started"));
          setInterval(() => undefined, 1000);
          return { close: async () => logger.info("closed") };
        }`),
      ],
      { env: { PATH: process.env.PATH } },
    );
    let stdout = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"started"')) resolve();
      }),
    );
    child.kill("SIGTERM");

    expect(await exited).toBe(0);
    expect(jsonLines(stdout).map((l) => l.msg)).toEqual([
      "started",
      "shutting down",
      "closed",
      "stopped",
    ]);
  });
});
