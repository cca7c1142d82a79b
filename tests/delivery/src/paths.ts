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
