import { spawnSync } from "node:child_process";
import path from "node:path";

// The real start-up path: a process with a bad environment stops at once with one clear line.
test("a service started with bad configuration exits 78 with one message naming every bad variable", () => {
  const script = `
    const { z } = require("zod");
    const { loadConfig, env, exitOnConfigError } = require(${JSON.stringify(path.join(__dirname, "../dist"))});
    try { loadConfig(z.object({ PORT: env.port(3000), DATABASE_URL: env.url() }), process.env); console.log("started"); }
    catch (e) { exitOnConfigError(e); }
  `;
  const result = spawnSync(process.execPath, ["-e", script], {
    env: { PATH: process.env.PATH, PORT: "99999" },
    encoding: "utf8",
  });
  expect(result.status).toBe(78);
  expect(result.stdout).not.toContain("started");
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /Invalid configuration: .*PORT.*DATABASE_URL|Invalid configuration: .*DATABASE_URL.*PORT/,
  );
});
