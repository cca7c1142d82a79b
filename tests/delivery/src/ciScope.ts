// Runs ci.yml's own shell and turbo invocations against a scratch git repository, to see which
// packages a pull request with a given change set would build and test. The scratch repository
// holds the workspace's manifests, lock file and turbo.json (as they are in the working tree) on
// a base commit that `origin/<base>` points at, then one commit with the pull request's files.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO, repoPath, workspaceDirs } from "./paths";

const TURBO = repoPath("node_modules/.bin/turbo");

interface Step {
  id?: string;
  name?: string;
  run?: string;
}

/** Replaces each `${{ expression }}` by its value in `context`; an unknown one is an error. */
export function expand(text: string, context: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (!(expression in context)) throw new Error(`no value for \${{ ${expression} }}`);
    return context[expression]!;
  });
}

/** Runs a step's shell script with bash, as the runner would, and returns what it wrote to $GITHUB_OUTPUT. */
export function stepOutputs(step: Step, context: Record<string, string>): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-step-"));
  try {
    const output = path.join(dir, "output");
    fs.writeFileSync(output, "");
    execFileSync("bash", ["-e", "-c", expand(step.run!, context)], {
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: output },
      stdio: ["ignore", "ignore", "inherit"],
    });
    return Object.fromEntries(
      fs
        .readFileSync(output, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface ScratchRepo {
  dir: string;
  remove(): void;
}

/** A repository whose `origin/<baseRef>` is the workspace and whose HEAD also changes `changedFiles`. */
export function scratchPullRequest(baseRef: string, changedFiles: string[]): ScratchRepo {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-scope-"));
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      [
        "-c",
        "user.email=ci@example.com",
        "-c",
        "user.name=ci",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
    );
  const copy = (file: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
  };
  try {
    git("init", "-q");
    for (const file of ["package.json", "package-lock.json", "turbo.json"]) copy(file);
    for (const workspace of workspaceDirs()) copy(`${workspace}/package.json`);
    const turbo = JSON.parse(fs.readFileSync(repoPath("turbo.json"), "utf8")) as {
      globalDependencies?: string[];
    };
    for (const file of turbo.globalDependencies ?? []) copy(file);
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    git("update-ref", `refs/remotes/origin/${baseRef}`, "HEAD");
    for (const file of changedFiles) {
      const target = path.join(dir, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.appendFileSync(target, "\n# changed by the pull request\n");
    }
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", "pull request");
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The packages a step's `npx turbo run ...` line would run its task in (turbo's dry run). */
export function turboPackages(runLine: string, cwd: string): string[] {
  const argv = runLine.trim().split(/\s+/);
  if (argv[0] !== "npx" || argv[1] !== "turbo" || argv[2] !== "run")
    throw new Error(`not a turbo run: ${runLine}`);
  const stdout = execFileSync(TURBO, [...argv.slice(2), "--dry-run=json"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const task = argv[3]!;
  const plan = JSON.parse(stdout) as { tasks: { package: string; task: string }[] };
  return plan.tasks
    .filter((t) => t.task === task)
    .map((t) => t.package)
    .sort();
}
