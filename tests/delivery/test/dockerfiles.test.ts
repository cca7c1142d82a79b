import fs from "node:fs";
import { DockerfileParser } from "dockerfile-ast";
import { validate as lintDockerfile } from "dockerfile-utils";
import { repoPath, SERVICES } from "../src/paths";

const PORTS: Record<string, number | undefined> = {
  auth: 3001,
  catalog: 3002,
  order: 3003,
  notifier: 3004,
  "outbox-relay": 3005,
  archiver: undefined,
};

const read = (service: string) =>
  fs.readFileSync(repoPath("services", service, "Dockerfile"), "utf8");

function workspaceManifests(): string[] {
  const root = JSON.parse(fs.readFileSync(repoPath("package.json"), "utf8")) as {
    workspaces: string[];
  };
  return root.workspaces.flatMap((glob) => {
    const dir = glob.replace(/\/\*$/, "");
    return fs
      .readdirSync(repoPath(dir))
      .filter((name) => fs.existsSync(repoPath(dir, name, "package.json")))
      .map((name) => `${dir}/${name}/package.json`);
  });
}

describe.each(SERVICES)("services/%s/Dockerfile", (service) => {
  const text = read(service);
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  const finalStage = instructions.slice(instructions.indexOf(froms[froms.length - 1]!));
  const lines = text.split("\n");
  // The instruction as written, flags included (getArgumentsContent leaves out --from= and --chown=).
  const raw = (i: (typeof instructions)[number]) =>
    lines.slice(i.getRange().start.line, i.getRange().end.line + 1).join("\n");
  const args = (keyword: string) =>
    finalStage.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? "");

  it("has no problems according to the Dockerfile linter", () => {
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it("is multi-stage and ships only production dependencies", () => {
    expect(froms.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(new RegExp(`npm ci --omit=dev[^\\n]*-w @app/${service} -w @app/shared`));
    expect(
      finalStage.filter((i) => i.getKeyword() === "COPY").some((i) => /--from=deps/.test(raw(i))),
    ).toBe(true);
    expect(
      froms.every((f) => /node:20-alpine|\$\{NODE_IMAGE\}/.test(f.getArgumentsContent() ?? "")),
    ).toBe(true);
  });

  it("runs node as a non-root user under tini, so signals reach the app", () => {
    expect(args("USER")).toEqual(["node"]);
    expect(args("ENTRYPOINT")).toEqual(['["/sbin/tini", "--"]']);
    expect(args("CMD")).toEqual(['["node", "dist/main.js"]']);
  });

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
});

describe(".dockerignore", () => {
  const ignore = fs
    .readFileSync(repoPath(".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim());

  it("keeps local builds, dependencies and secrets out of the build context", () => {
    for (const pattern of ["**/node_modules", "**/dist", ".git", ".env", ".cache"])
      expect(ignore).toContain(pattern);
  });

  it("keeps every workspace manifest that npm ci needs", () => {
    expect(ignore).toContain("!tests/*/package.json");
  });
});
