// docs/openapi.json: one OpenAPI 3.1 document of every public operation, merged from the
// services' own generated documents (the ones each serves at /openapi.json), without /internal.
// The gateway serves it at GET /api/openapi.json. `npm run docs:openapi` rewrites it after a build;
// an e2e test fails when the committed file differs from what the services generate.
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

export const OPENAPI_FILE = path.resolve(__dirname, "../../docs/openapi.json");

type Json = Record<string, unknown>;
type Document = {
  openapi: string;
  paths?: Record<string, Record<string, Json>>;
  components?: Record<string, Record<string, unknown>>;
};

/**
 * A service's document from its build (services ship no type declarations, and the script uses
 * each service's published build rather than its source).
 */
function generated(service: string, exportName: string): Document {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require(`@app/${service}/dist/api/openapi`) as Record<string, () => Document>;
  const build = api[exportName];
  if (!build) throw new Error(`@app/${service} has no ${exportName}; run the build first`);
  return build();
}

/** Each service's document with the tag its operations are grouped under. */
export function serviceDocuments(): { tag: string; description: string; document: Document }[] {
  return [
    {
      tag: "Auth",
      description: "Accounts, sign-in, tokens",
      document: generated("auth", "authOpenApiDocument"),
    },
    {
      tag: "Catalog",
      description: "Products and stock",
      document: generated("catalog", "catalogOpenApi"),
    },
    {
      tag: "Orders",
      description: "Orders, placed once per Idempotency-Key",
      document: generated("order", "orderOpenApi"),
    },
    {
      tag: "Notifications",
      description: "What happened to your orders",
      document: generated("notifier", "notifierOpenApi"),
    },
  ];
}

export const isPublicPath = (p: string) => !p.startsWith("/internal");

export function mergedOpenApiDocument(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const sources = serviceDocuments();
  for (const { tag, document } of sources) {
    for (const [route, operations] of Object.entries(document.paths ?? {})) {
      if (!isPublicPath(route)) continue;
      for (const [method, operation] of Object.entries(operations)) {
        if (paths[route]?.[method])
          throw new Error(`${method.toUpperCase()} ${route} is defined twice`);
        (paths[route] ??= {})[method] = { tags: [tag], ...operation };
      }
    }
    for (const [kind, entries] of Object.entries(document.components ?? {})) {
      for (const [name, value] of Object.entries(entries)) {
        const existing = (components[kind] ??= {})[name];
        // One name, one shape: two services describing "Problem" differently is a bug.
        if (existing !== undefined && !isDeepStrictEqual(existing, value))
          throw new Error(`components.${kind}.${name} differs between services`);
        components[kind][name] = value;
      }
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Product ordering API",
      version: "1.0.0",
      description:
        "Every public operation behind the gateway. Money is an integer in minor units beside an " +
        "ISO 4217 currency; errors are RFC 9457 problem+json with a stable `code`; lists take " +
        "`limit` and `cursor` and answer `{ items, nextCursor }`. The contract in words: docs/api.md.",
    },
    servers: [{ url: "/", description: "The gateway this document was served by" }],
    tags: sources.map(({ tag, description }) => ({ name: tag, description })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: reachableComponents(paths, components),
  };
}

/** Only the components public operations use, directly or through other components. */
function reachableComponents(
  paths: unknown,
  components: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const kept: Record<string, Record<string, unknown>> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const ref =
        key === "$ref" && typeof value === "string" && /^#\/components\/(\w+)\/(.+)$/.exec(value);
      if (ref) {
        const [, kind, name] = ref as unknown as [string, string, string];
        if (kept[kind]?.[name] !== undefined) continue;
        (kept[kind] ??= {})[name] = components[kind]?.[name];
        visit(components[kind]?.[name]);
      } else visit(value);
    }
  };
  visit(paths);
  // Security schemes are named by operations' `security`, not by $ref.
  if (components.securitySchemes) kept.securitySchemes = components.securitySchemes;
  return Object.fromEntries(
    Object.entries(kept).map(([kind, entries]) => [
      kind,
      Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))),
    ]),
  );
}

export const openApiJson = () => `${JSON.stringify(mergedOpenApiDocument(), null, 2)}\n`;

if (require.main === module) {
  fs.writeFileSync(OPENAPI_FILE, openApiJson());
  process.stdout.write(
    `${JSON.stringify({ written: path.relative(process.cwd(), OPENAPI_FILE) })}\n`,
  );
}
