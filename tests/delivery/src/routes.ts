import fs from "node:fs";
import { repoPath } from "./paths";

export interface GatewayRoute {
  path: string;
  match: "prefix" | "exact";
  service: string;
}

interface RouteTable {
  routes: GatewayRoute[];
  /** Served by the gateway itself (the API documentation). */
  files: { path: string; file: string; type: string }[];
  services: Record<string, { port: number }>;
}

/** What the chart's Ingress or HTTPRoute must route: the services' routes, then the gateway's files. */
export function chartRoutes(gatewayPort: number) {
  const table = routeTable();
  return [
    ...table.routes.map((r) => ({ ...r, port: table.services[r.service]!.port })),
    ...table.files.map((f) => ({
      path: f.path,
      match: "exact",
      service: "gateway",
      port: gatewayPort,
    })),
  ];
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
