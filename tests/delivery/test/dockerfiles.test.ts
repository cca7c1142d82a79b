import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import dockerignore from "@balena/dockerignore";
import { DockerfileParser } from "dockerfile-ast";
import { validate as lintDockerfile } from "dockerfile-utils";
import { imageCommand } from "../src/containers";
import { REPO, repoPath, SERVICES, workspaceDirs } from "../src/paths";
import {
  renderServiceImage,
  SERVICE_BUILDS,
  SERVICE_DOCKERFILE,
  serviceDockerfileText,
} from "../src/serviceImages";

const PORTS: Record<string, number | undefined> = {
  auth: 3001,
  catalog: 3002,
  order: 3003,
  notifier: 3004,
  "outbox-relay": 3005,
  archiver: undefined,
};

const workspaceManifests = () => workspaceDirs().map((dir) => `${dir}/package.json`);

describe(`${SERVICE_DOCKERFILE}, the Node services' one Dockerfile`, () => {
  const text = serviceDockerfileText();

  it("has no problems according to the Dockerfile linter", () => {
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it("is the only Dockerfile of a service: no copy under services/", () => {
    expect(
      fs
        .readdirSync(repoPath("services"))
        .filter((s) => fs.existsSync(repoPath("services", s, "Dockerfile"))),
    ).toEqual([]);
  });

  it("builds a server (with its port) for every HTTP service and a job for the archiver", () => {
    for (const service of SERVICES) {
      const { target, args } = SERVICE_BUILDS[service];
      expect({ service, target, args }).toEqual({
        service,
        target: PORTS[service] === undefined ? "job" : "server",
        args:
          PORTS[service] === undefined
            ? { SERVICE: service }
            : { SERVICE: service, PORT: String(PORTS[service]) },
      });
    }
  });
});

describe.each(SERVICES)(
  "the %s image (Dockerfile with its target and build arguments)",
  (service) => {
    const { text, finalStage } = renderServiceImage(service);
    const dockerfile = DockerfileParser.parse(text);
    const instructions = dockerfile.getInstructions();
    const froms = dockerfile.getFROMs();
    const stageNames = froms.map((f) => f.getArguments()[2]?.getValue());
    const lines = text.split("\n");
    // The instruction as written, flags included (getArgumentsContent leaves out --from= and --chown=).
    const raw = (i: (typeof instructions)[number]) =>
      lines.slice(i.getRange().start.line, i.getRange().end.line + 1).join("\n");
    const args = (keyword: string) =>
      finalStage
        .filter((i) => i.getKeyword() === keyword)
        .map((i) => i.getArgumentsContent() ?? "");

    it("leaves no build argument of its own unset", () => {
      // Every stage that needs the service's name declares it; the port is the container's own
      // business only in HEALTHCHECK (expanded by its shell at run time).
      expect(text).not.toMatch(/\$\{SERVICE\}/);
      expect(
        finalStage
          .filter((i) => i.getKeyword() !== "HEALTHCHECK" && /\$\{PORT\}/.test(raw(i)))
          .map(raw),
      ).toEqual([]);
    });

    it("is multi-stage and ships only production dependencies", () => {
      expect(froms.length).toBeGreaterThanOrEqual(3);
      expect(text).toMatch(new RegExp(`npm ci --omit=dev[^\\n]*-w @app/${service} -w @app/shared`));
      expect(
        finalStage.filter((i) => i.getKeyword() === "COPY").some((i) => /--from=deps/.test(raw(i))),
      ).toBe(true);
      // Every stage starts from the Node image or from an earlier stage (which does).
      expect(
        froms.every(
          (f, n) =>
            /^\$\{NODE_IMAGE\} AS /.test(f.getArgumentsContent() ?? "") ||
            stageNames.slice(0, n).includes(f.getArguments()[0]!.getValue()),
        ),
      ).toBe(true);
      // The current Node.js LTS, the version .nvmrc and the workflow name.
      expect(text).toMatch(
        new RegExp(
          `^ARG NODE_IMAGE=node:${fs.readFileSync(repoPath(".nvmrc"), "utf8").trim()}-alpine$`,
          "m",
        ),
      );
    });

    it("runs node as a non-root user under tini, so signals reach the app", () => {
      expect(args("USER")).toEqual(["node"]);
      const { entrypoint, cmd } = imageCommand(finalStage);
      expect(entrypoint.slice(0, 2)).toEqual(["/sbin/tini", "--"]);
      expect([...entrypoint, ...cmd]).toEqual(["/sbin/tini", "--", "node", "dist/main.js"]);
    });

    if (service === "archiver") {
      it("takes its arguments after the command (ENTRYPOINT is the command, CMD is empty)", () => {
        expect(imageCommand(finalStage)).toEqual({
          entrypoint: ["/sbin/tini", "--", "node", "dist/main.js"],
          cmd: [],
        });
      });
    } else {
      it("keeps the command in CMD, so a one-shot (the migrations) replaces it and still runs under tini", () => {
        expect(imageCommand(finalStage)).toEqual({
          entrypoint: ["/sbin/tini", "--"],
          cmd: ["node", "dist/main.js"],
        });
      });
    }

    it("copies every source it names from the repository", () => {
      const contextCopies = instructions
        .filter((i) => i.getKeyword() === "COPY" && !/--from=/.test(raw(i)))
        .flatMap((i) =>
          i
            .getArguments()
            .slice(0, -1)
            .map((a) => a.getValue()),
        );
      for (const source of contextCopies) expect(fs.existsSync(repoPath(source))).toBe(true);
      const manifests = contextCopies.filter(
        (s) => s.endsWith("package.json") && s !== "package.json",
      );
      expect(new Set(manifests)).toEqual(new Set(workspaceManifests()));
    });

    const port = PORTS[service];
    if (port !== undefined) {
      it(`checks its health on /health/live at port ${port}`, () => {
        expect(args("HEALTHCHECK").join(" ")).toMatch(/\/health\/live/);
        expect(args("EXPOSE")).toEqual([String(port)]);
        expect(args("ENV")).toContain(`PORT=${port}`);
      });
    } else {
      it("is a run-to-completion job without a HEALTHCHECK", () => {
        expect(args("HEALTHCHECK")).toEqual([]);
        expect(args("EXPOSE")).toEqual([]);
      });
    }
  },
);

describe(".dockerignore", () => {
  // Docker's own matching rules (patterns relative to the context, `**`, `!` exceptions, the last
  // matching pattern wins), as implemented by @balena/dockerignore.
  const rules = dockerignore().add(fs.readFileSync(repoPath(".dockerignore"), "utf8").split("\n"));
  const ignored = (file: string) => rules.ignores(file);
  const tracked = (...paths: string[]) =>
    execFileSync("git", ["ls-files", "--", ...paths], { cwd: REPO, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);

  it("keeps dependencies, builds, caches, git metadata and env files out of the build context", () => {
    const mustStayOut = [
      "node_modules/express/package.json",
      "services/auth/node_modules/.bin/tsc",
      "libs/shared/node_modules/testcontainers/package.json",
      "services/order/dist/main.js",
      "libs/shared/dist/index.js",
      "tests/delivery/dist/x.js",
      ".cache/m2/repository/x.jar",
      "services/catalog/.cache/x",
      ".turbo/cookies/1.cookie",
      "services/notifier/.turbo/turbo-build.log",
      ".git/HEAD",
      ".git/objects/pack/x.pack",
      ".env",
      "services/auth/.env",
      "services/order/src/infrastructure/prisma/generated/client.ts",
      "services/order/test/placeOrder.test.ts",
      "tests/e2e/test/orders.test.ts",
    ];
    expect(mustStayOut.filter((file) => !ignored(file))).toEqual([]);
  });

  it("keeps every file the Dockerfiles copy from the context: manifests, lock, sources, schemas, migrations", () => {
    const copied = new Set<string>();
    for (const service of SERVICES) {
      const { text } = renderServiceImage(service);
      const lines = text.split("\n");
      for (const i of DockerfileParser.parse(text).getInstructions()) {
        const raw = lines.slice(i.getRange().start.line, i.getRange().end.line + 1).join("\n");
        if (i.getKeyword() !== "COPY" || /--from=/.test(raw)) continue;
        for (const source of i.getArguments().slice(0, -1)) copied.add(source.getValue());
      }
    }
    // What the build stage needs of each copied directory: its manifest, sources, Prisma schema,
    // migrations and TypeScript settings (tests, scripts and docs may stay out).
    const needed = [...copied].flatMap((source) =>
      source.endsWith("/")
        ? tracked(source).filter((file) =>
            /^(package\.json|tsconfig[^/]*\.json|src\/.+|prisma\/.+|migrations\/.+)$/.test(
              path.posix.relative(source, file),
            ),
          )
        : [source],
    );
    expect(needed.length).toBeGreaterThan(50);
    expect(needed).toEqual(expect.arrayContaining(workspaceManifests()));
    expect(needed).toContain("package-lock.json");
    expect(needed.filter(ignored)).toEqual([]);
  });

  it("keeps every workspace manifest, which npm ci needs to match the lock", () => {
    expect(workspaceManifests().filter(ignored)).toEqual([]);
  });
});

describe("gateway/Dockerfile", () => {
  const text = fs.readFileSync(repoPath("gateway/Dockerfile"), "utf8");
  const routeFiles = (
    JSON.parse(fs.readFileSync(repoPath("gateway/routes.json"), "utf8")) as {
      files: { path: string; file: string }[];
    }
  ).files;
  const lines = text.split("\n");
  const copyInstructions = DockerfileParser.parse(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === "COPY");
  const copies = copyInstructions.map((i) => i.getArguments().map((a) => a.getValue()));
  // COPY lines that take from the build context, not from an earlier stage.
  const fromContext = copyInstructions
    .filter(
      (i) =>
        !/--from=/.test(lines.slice(i.getRange().start.line, i.getRange().end.line + 1).join("\n")),
    )
    .map((i) => i.getArguments()[0]!.getValue());
  const rules = dockerignore().add(fs.readFileSync(repoPath(".dockerignore"), "utf8").split("\n"));

  it("has no problems according to the Dockerfile linter", () => {
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it("puts every file the gateway serves where the compose config looks for it", () => {
    const targets = copies.map((args) => args.at(-1));
    expect(targets).toEqual(
      expect.arrayContaining(routeFiles.map((f) => `/usr/share/nginx/api/${f.file}`)),
    );
    expect(targets).toContain("/etc/nginx/nginx.conf");
  });

  it("copies only files the build context keeps", () => {
    expect(fromContext.length).toBeGreaterThan(3);
    expect(
      fromContext.filter((file) => rules.ignores(file) || !fs.existsSync(repoPath(file))),
    ).toEqual([]);
  });
});
