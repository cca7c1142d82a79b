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
