// What a container really executes: the image's ENTRYPOINT and CMD (read from the final stage
// of its build) combined with a Kubernetes container's command/args or a Compose service's
// entrypoint/command, by each tool's documented rules.
import type { Instruction } from "dockerfile-ast";
import { SERVICES, type Service } from "./paths";
import { renderServiceImage } from "./serviceImages";

export interface ImageCommand {
  entrypoint: string[];
  cmd: string[];
}

/**
 * Exec-form (JSON) ENTRYPOINT and CMD of the final stage (with the stages it is built FROM); a
 * shell form is an error (no signals).
 */
export function imageCommand(finalStage: Instruction[]): ImageCommand {
  const last = (keyword: string): string[] | undefined => {
    const found = finalStage.filter((i) => i.getKeyword() === keyword).at(-1);
    if (!found) return undefined;
    const text = found.getArgumentsContent() ?? "";
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${keyword} ${text} is not in exec (JSON) form`);
    }
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) {
      throw new Error(`${keyword} ${text} is not a JSON array of strings`);
    }
    return parsed as string[];
  };
  const entrypoint = last("ENTRYPOINT") ?? [];
  // Docker: an ENTRYPOINT set in this image resets a CMD inherited from the base image.
  return { entrypoint, cmd: last("CMD") ?? [] };
}

export function serviceImage(service: string): ImageCommand {
  if (!(SERVICES as readonly string[]).includes(service)) throw new Error(`no service ${service}`);
  return imageCommand(renderServiceImage(service as Service).finalStage);
}

/**
 * Kubernetes: `command` replaces the ENTRYPOINT (and drops the image's CMD); `args` replaces the
 * CMD. https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/
 */
export function kubernetesArgv(
  image: ImageCommand,
  container: { command?: string[]; args?: string[] },
): string[] {
  if (container.command) return [...container.command, ...(container.args ?? [])];
  return [...image.entrypoint, ...(container.args ?? image.cmd)];
}

/**
 * Compose: `entrypoint` replaces the ENTRYPOINT and clears the image's CMD; `command` replaces the
 * CMD; `docker compose run <service> <args...>` replaces the command with those arguments.
 */
export function composeArgv(
  image: ImageCommand,
  service: { entrypoint?: string[]; command?: string[] },
  runArgs?: string[],
): string[] {
  const entrypoint = service.entrypoint ?? image.entrypoint;
  const baseCmd = service.entrypoint ? [] : image.cmd;
  const command = runArgs && runArgs.length > 0 ? runArgs : (service.command ?? baseCmd);
  return [...entrypoint, ...command];
}
