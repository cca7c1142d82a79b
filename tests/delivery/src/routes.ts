import fs from "node:fs";
import { repoPath } from "./paths";

export interface GatewayRoute {
  path: string;
  match: "prefix" | "exact";
  service: string;
}

interface RouteTable {
  routes: GatewayRoute[];
  services: Record<string, { port: number }>;
}

/** gateway/routes.json: the single source of the public routes. */
export function routeTable(): RouteTable {
  return JSON.parse(fs.readFileSync(repoPath("gateway/routes.json"), "utf8")) as RouteTable;
}

/** The routes an nginx.conf serves, read back from its location blocks. */
export function nginxRoutes(
  conf: string,
): { path: string; match: "prefix" | "exact"; upstream: string }[] {
  const found: { path: string; match: "prefix" | "exact"; upstream: string }[] = [];
  const location = /location\s+(=|~)?\s*(\S+)\s*\{([^}]*)\}/g;
  for (const m of conf.matchAll(location)) {
    const [, modifier, pattern, body] = m as unknown as [
      string,
      string | undefined,
      string,
      string,
    ];
    const upstream = /proxy_pass\s+http:\/\/([\w-]+)/.exec(body)?.[1];
    if (!upstream) continue;
    if (modifier === "=") found.push({ path: pattern, match: "exact", upstream });
    else if (modifier === "~") {
      const prefix = /^\^(\/[^()]*)\(\/\|\$\)$/.exec(pattern)?.[1];
      found.push({
        path: prefix ?? pattern,
        match: prefix ? "prefix" : ("regex" as "prefix"),
        upstream,
      });
    } else found.push({ path: pattern, match: "prefix", upstream });
  }
  return found;
}
