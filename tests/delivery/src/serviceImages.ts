// The six Node services share one Dockerfile at the repository root: a build argument names the
// service and a target says what kind of image it is (`server` on a port, or a run-to-completion
// `job`). This module renders what one service's build makes of that file, so each image can be
// checked as if it had a Dockerfile of its own.
import fs from "node:fs";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { repoPath, type Service } from "./paths";

export const SERVICE_DOCKERFILE = "Dockerfile";

export interface ServiceBuild {
  target: "server" | "job";
  args: Record<string, string>;
}

/** What docker-compose.yml and the CI image matrix must build for each service. */
export const SERVICE_BUILDS: Record<Service, ServiceBuild> = {
  auth: { target: "server", args: { SERVICE: "auth", PORT: "3001" } },
  catalog: { target: "server", args: { SERVICE: "catalog", PORT: "3002" } },
  order: { target: "server", args: { SERVICE: "order", PORT: "3003" } },
  notifier: { target: "server", args: { SERVICE: "notifier", PORT: "3004" } },
  "outbox-relay": { target: "server", args: { SERVICE: "outbox-relay", PORT: "3005" } },
  archiver: { target: "job", args: { SERVICE: "archiver" } },
};

export interface RenderedImage {
  /** The Dockerfile with the build arguments substituted where Docker substitutes them. */
  text: string;
  /** The instructions of the target stage and of the stages it is built FROM, base first. */
  finalStage: Instruction[];
}

// Docker expands variables in these instructions itself; RUN gets them from its shell. CMD,
// ENTRYPOINT and HEALTHCHECK are left to the container's shell at run time.
const EXPANDED = new Set(["ADD", "COPY", "ENV", "EXPOSE", "LABEL", "RUN", "USER", "WORKDIR"]);

/**
 * The image `target` of `dockerfileText` built with `args`. A variable is substituted only in a
 * stage that declares it with ARG (elsewhere Docker would make it empty, and the text keeps the
 * `${NAME}` so a check on it fails).
 */
export function renderImage(dockerfileText: string, build: ServiceBuild): RenderedImage {
  const lines = dockerfileText.split("\n");
  const instructions = DockerfileParser.parse(dockerfileText).getInstructions();
  const stages: { name?: string; base: string; instructions: Instruction[] }[] = [];
  let declared = new Set<string>();
  for (const i of instructions) {
    const keyword = i.getKeyword();
    const words = i.getArguments().map((a) => a.getValue());
    if (keyword === "FROM") {
      stages.push({ base: words[0]!, name: words[2], instructions: [] });
      declared = new Set();
    } else if (keyword === "ARG" && stages.length > 0) {
      declared.add(words[0]!.split("=")[0]!);
    }
    if (stages.length > 0) stages.at(-1)!.instructions.push(i);
    if (!EXPANDED.has(keyword)) continue;
    const { start, end } = i.getRange();
    for (let line = start.line; line <= end.line; line++) {
      lines[line] = lines[line]!.replace(/\$\{(\w+)\}/g, (whole, name: string) =>
        declared.has(name) && name in build.args ? build.args[name]! : whole,
      );
    }
  }
  const chain: Instruction[][] = [];
  for (let name: string | undefined = build.target; name !== undefined;) {
    const stage = stages.find((s) => s.name === name);
    if (!stage) {
      if (chain.length === 0) throw new Error(`no stage ${build.target}`);
      break;
    }
    chain.unshift(stage.instructions);
    name = stages.some((s) => s.name === stage.base) ? stage.base : undefined;
  }
  const text = lines.join("\n");
  // Parsed again from the rendered text, so the arguments read carry the substituted values.
  const rendered = DockerfileParser.parse(text).getInstructions();
  const byLine = new Map(rendered.map((i) => [i.getRange().start.line, i]));
  return {
    text,
    finalStage: chain.flat().map((i) => byLine.get(i.getRange().start.line)!),
  };
}

export const serviceDockerfileText = () => fs.readFileSync(repoPath(SERVICE_DOCKERFILE), "utf8");

export const renderServiceImage = (service: Service): RenderedImage =>
  renderImage(serviceDockerfileText(), SERVICE_BUILDS[service]);
