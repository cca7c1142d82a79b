import { spawnSync } from "node:child_process";

/**
 * Starts a service's entry point with only `env` (plus PATH) and waits for it to exit: for
 * start-up refusals, which must happen before the service touches any server.
 */
export function startupExit(
  mainJs: string,
  env: Record<string, string>,
): { code: number | null; stderrLines: string[]; stdout: string } {
  const result = spawnSync(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return {
    code: result.status,
    stderrLines: result.stderr.split("\n").filter(Boolean),
    stdout: result.stdout,
  };
}

/**
 * Expects a service's entry point, started in production with `env`, to refuse before it starts:
 * exit 78 and one line of invalid configuration naming each of `refused` as holding a documented
 * development secret.
 */
export function expectProductionRefusal(
  mainJs: string,
  env: Record<string, string>,
  refused: readonly string[],
): void {
  const { code, stderrLines } = startupExit(mainJs, { NODE_ENV: "production", ...env });
  expect(code).toBe(78);
  expect(stderrLines).toHaveLength(1);
  expect(stderrLines[0]).toMatch(/^Invalid configuration: /);
  for (const name of refused)
    expect(stderrLines[0]).toContain(`${name} (holds a documented development secret`);
}
