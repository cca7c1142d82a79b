import fs from "node:fs";
import path from "node:path";

export const REPO = path.resolve(__dirname, "../../..");
export const CACHE = path.join(REPO, ".cache");
export const CHART = path.join(REPO, "helm/product-ordering");
export const SERVICES = [
  "auth",
  "catalog",
  "order",
  "outbox-relay",
  "notifier",
  "archiver",
] as const;
export type Service = (typeof SERVICES)[number];

export const repoPath = (...parts: string[]) => path.join(REPO, ...parts);

/** The workspace folders (e.g. `services/order`) the root package.json's workspace globs match. */
export function workspaceDirs(): string[] {
  const root = JSON.parse(fs.readFileSync(repoPath("package.json"), "utf8")) as {
    workspaces: string[];
  };
  return root.workspaces.flatMap((glob) => {
    const dir = glob.replace(/\/\*$/, "");
    return fs
      .readdirSync(repoPath(dir))
      .filter((name) => fs.existsSync(repoPath(dir, name, "package.json")))
      .map((name) => `${dir}/${name}`);
  });
}
