// The house's dependency rules (../docs/SERVICE_GUIDE.md), checked by eslint-plugin-boundaries:
// api -> application -> domain; infrastructure implements application's ports; main.ts (and the
// service's command lines) alone knows every concrete class; a service, its tests and its scripts
// never import another service. Cross-service tests live in tests/e2e.
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.dirname(fileURLToPath(import.meta.url));
const FRAMEWORKS = ["express", "@prisma/*", "ioredis", "kafkajs", "opossum", "prom-client"];

const layer = (type) => ({
  type,
  pattern: `services/*/src/${type}/**`,
  partialMatch: false,
  capture: ["service"],
});

const part = (type, pattern) => ({ type, pattern, partialMatch: false, capture: ["service"] });

const SERVICE_PARTS = [
  "domain",
  "application",
  "api",
  "infrastructure",
  "composition",
  "service-test",
  "service-script",
];

const disallowLayers = (from, types, why) => ({
  from: { element: { type: from } },
  disallow: { to: { element: { types: { anyOf: types } } } },
  message: why,
});

export const serviceBoundaries = {
  files: ["**/*.ts"],
  settings: {
    "boundaries/root-path": REPO,
    "boundaries/elements": [
      layer("domain"),
      layer("application"),
      layer("api"),
      layer("infrastructure"),
      part("composition", "services/*/src"),
      part("service-test", "services/*/test/**"),
      part("service-script", "services/*/scripts/**"),
      { type: "shared", pattern: "libs/*/**", partialMatch: false },
      { type: "suite", pattern: "tests/*/**", partialMatch: false },
    ],
    "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } },
  },
  rules: {
    "boundaries/dependencies": [
      2,
      {
        default: "allow",
        // External modules too: framework packages and other services' workspaces.
        checkAllOrigins: true,
        policies: [
          disallowLayers(
            "domain",
            ["application", "api", "infrastructure", "composition"],
            "domain/ holds pure rules: it imports no other layer",
          ),
          {
            from: { element: { type: "domain" } },
            disallow: { to: { module: { origin: "external", source: FRAMEWORKS } } },
            message: "domain/ imports no framework (express, Prisma, Redis, Kafka clients...)",
          },
          disallowLayers(
            "application",
            ["api", "infrastructure", "composition"],
            "application/ defines ports; it never imports api/ or infrastructure/",
          ),
          disallowLayers(
            "api",
            ["infrastructure", "composition"],
            "api/ calls use cases; only main.ts wires infrastructure/",
          ),
          disallowLayers(
            "infrastructure",
            ["api", "composition"],
            "infrastructure/ implements application's ports; it never imports api/",
          ),
          {
            from: { element: { types: { anyOf: SERVICE_PARTS } } },
            disallow: {
              to: {
                element: {
                  types: { anyOf: SERVICE_PARTS },
                  captured: { service: "!{{ from.element.captured.service }}" },
                },
              },
            },
            message:
              "a service never imports another service's source: cross-service tests go to tests/e2e",
          },
          {
            from: { element: { types: { anyOf: SERVICE_PARTS } } },
            disallow: { to: { module: { source: "@app/*" } } },
            message: "a service never imports another service: cross-service tests go to tests/e2e",
          },
          {
            from: { element: { types: { anyOf: SERVICE_PARTS } } },
            allow: { to: { module: { source: "@app/shared" } } },
          },
        ],
      },
    ],
  },
};
