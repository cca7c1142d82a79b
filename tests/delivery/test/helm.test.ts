import fs from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { runHelmCheck, type K8sObject, type RenderedCase, type HelmCheckResult } from "../src/helm";
import { schemaProblems } from "../src/kubernetesSchemas";
import { CACHE, CHART } from "../src/paths";
import { routeTable } from "../src/routes";

const OUT = path.join(CACHE, "helm-render");
const ENVS = ["dev", "staging", "prod"] as const;
const values = (env: string) => path.join(CHART, `values-${env}.yaml`);
const HTTP_SERVICES = ["auth", "catalog", "order", "notifier"];
const AUTOSCALED = ["auth", "catalog", "order", "notifier"];
const WITH_MIGRATIONS = ["auth", "catalog", "order", "notifier"];

function overlay(name: string, content: object): string {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `overlay-${name}.yaml`);
  fs.writeFileSync(file, stringify(content));
  return file;
}

let result: HelmCheckResult;
let rendered: Record<string, RenderedCase>;

const byKind = (env: string, kind: string) =>
  rendered[env]!.manifests.filter((m) => m.kind === kind);
const named = (env: string, kind: string, component: string) =>
  byKind(env, kind).find((m) => m.metadata.labels?.["app.kubernetes.io/component"] === component);

beforeAll(() => {
  ({ result, rendered } = runHelmCheck(
    {
      dev: [values("dev")],
      staging: [values("staging")],
      prod: [values("prod")],
      "prod-without-secret": [
        values("prod"),
        overlay("no-secret", { secrets: { existingSecret: "" } }),
      ],
      "notifier-past-partitions": [
        values("prod"),
        overlay("past-partitions", {
          kafka: { orderEventsPartitions: 4 },
          services: { notifier: { autoscaling: { maxReplicas: 5 } } },
        }),
      ],
      "internal-route": [
        values("dev"),
        overlay("internal-route", {
          ingress: { routes: [{ path: "/internal/v1", pathType: "Prefix", service: "catalog" }] },
        }),
      ],
      "typo-in-manifest": [
        values("dev"),
        overlay("typo", {
          extraObjects: [
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "typo" }, dataa: { a: "b" } },
          ],
        }),
      ],
    },
    OUT,
  ));
}, 180_000);

describe("helm chart, rendered by real Helm", () => {
  it("passes helm lint --strict", () => {
    expect(result.helmVersion).toMatch(/^v3\./);
    expect(result.lint.failed).toBe(false);
  });

  it.each(ENVS)("renders with values-%s.yaml", (env) => {
    expect(rendered[env]!.error).toBeUndefined();
    expect(rendered[env]!.manifests.length).toBeGreaterThan(20);
  });

  it.each(ENVS)(
    "every %s manifest is valid for the Kubernetes API models (unknown fields, required fields, types)",
    (env) => {
      const invalid = rendered[env]!.checks.filter((c) => c.model === null || c.errors.length > 0);
      expect(invalid).toEqual([]);
      expect(rendered[env]!.checks).toHaveLength(rendered[env]!.manifests.length);
    },
  );

  it.each(ENVS)("every %s manifest is valid against the Kubernetes JSON schemas", (env) => {
    const problems = rendered[env]!.manifests.map((m) => ({
      kind: m.kind,
      name: m.metadata.name,
      problems: schemaProblems(m),
    }));
    expect(problems.filter((p) => p.problems.length > 0)).toEqual([]);
  });

  it("reports a manifest field the Kubernetes API does not define", () => {
    const typo = rendered["typo-in-manifest"]!.checks.find((c) => c.name === "typo");
    expect(typo?.errors.join(" ")).toMatch(/dataa/);
  });

  it.each(ENVS)("%s: the Ingress routes exactly gateway/routes.json and never /internal", (env) => {
    const [ingress, ...others] = byKind(env, "Ingress");
    expect(others).toHaveLength(0);
    const services = byKind(env, "Service");
    const routed = ingress!.spec.rules.flatMap(
      (rule: {
        http: {
          paths: {
            path: string;
            pathType: string;
            backend: { service: { name: string; port: { number: number } } };
          }[];
        };
      }) =>
        rule.http.paths.map((p) => {
          const target = services.find((s) => s.metadata.name === p.backend.service.name);
          return {
            path: p.path,
            match: p.pathType === "Exact" ? "exact" : "prefix",
            service: target?.metadata.labels?.["app.kubernetes.io/component"],
            port: p.backend.service.port.number,
          };
        }),
    );
    const table = routeTable();
    expect(routed).toEqual(
      table.routes.map((r) => ({ ...r, port: table.services[r.service]!.port })),
    );
    expect(routed.filter((r: { path: string }) => r.path.startsWith("/internal"))).toEqual([]);
  });

  it("refuses to render an Ingress route under /internal", () => {
    expect(rendered["internal-route"]!.error).toMatch(/\/internal is never routed/);
  });

  it.each(ENVS)(
    "%s: every Deployment has probes, resources and a non-root, read-only security context",
    (env) => {
      const deployments = byKind(env, "Deployment");
      expect(
        deployments.map((d) => d.metadata.labels!["app.kubernetes.io/component"]).sort(),
      ).toEqual(["auth", "catalog", "notifier", "order", "outbox-relay"]);
      for (const d of deployments) {
        const pod = d.spec.template.spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        for (const c of pod.containers) {
          expect(c.livenessProbe.httpGet.path).toBe("/health/live");
          expect(c.readinessProbe.httpGet.path).toBe("/health/ready");
          expect(c.resources.requests).toBeDefined();
          expect(c.resources.limits).toBeDefined();
          expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          });
        }
      }
    },
  );

  it.each(["staging", "prod"])(
    "%s: auth, catalog, order and the notifier autoscale; the relay runs fixed replicas",
    (env) => {
      const hpas = byKind(env, "HorizontalPodAutoscaler");
      expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(
        AUTOSCALED.map((s) => `po-product-ordering-${s}`).sort(),
      );
      const relay = named(env, "Deployment", "outbox-relay")!;
      expect(relay.spec.replicas).toBeGreaterThanOrEqual(2);
      for (const s of AUTOSCALED)
        expect(named(env, "Deployment", s)!.spec.replicas).toBeUndefined();
    },
  );

  it.each(["staging", "prod"])(
    "%s: the notifier never scales past the partitions of order-events",
    (env) => {
      const partitions = (
        parse(fs.readFileSync(values(env), "utf8")) as { kafka: { orderEventsPartitions: number } }
      ).kafka.orderEventsPartitions;
      expect(
        named(env, "HorizontalPodAutoscaler", "notifier")!.spec.maxReplicas,
      ).toBeLessThanOrEqual(partitions);
    },
  );

  it("refuses a notifier HPA bounded above the partition count", () => {
    expect(rendered["notifier-past-partitions"]!.error).toMatch(
      /exceeds kafka.orderEventsPartitions/,
    );
  });

  it.each(["staging", "prod"])("%s: every Deployment has a PodDisruptionBudget", (env) => {
    const pdbs = byKind(env, "PodDisruptionBudget")
      .map((p) => p.metadata.labels!["app.kubernetes.io/component"])
      .sort();
    expect(pdbs).toEqual(["auth", "catalog", "notifier", "order", "outbox-relay"]);
  });

  it.each(ENVS)("%s: the archiver is a daily CronJob that forbids concurrent runs", (env) => {
    const [cron, ...others] = byKind(env, "CronJob");
    expect(others).toHaveLength(0);
    expect(cron!.spec.concurrencyPolicy).toBe("Forbid");
    const [minute, hour, dayOfMonth, month, dayOfWeek] = cron!.spec.schedule.split(/\s+/);
    expect([minute, hour].every((f: string) => /^\d+$/.test(f))).toBe(true);
    expect([dayOfMonth, month, dayOfWeek]).toEqual(["*", "*", "*"]);
    const container = cron!.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.image).toMatch(/\/archiver:/);
    expect(cron!.spec.jobTemplate.spec.template.spec.restartPolicy).toBe("Never");
  });

  it.each(ENVS)(
    "%s: a pre-install/pre-upgrade migration Job runs the shared migrator for each database",
    (env) => {
      const jobs = byKind(env, "Job");
      expect(jobs.map((j) => j.metadata.labels!["app.kubernetes.io/component"]).sort()).toEqual(
        WITH_MIGRATIONS.map((s) => `${s}-migrate`).sort(),
      );
      for (const job of jobs) {
        expect(job.metadata.annotations!["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
        const container = job.spec.template.spec.containers[0];
        expect(container.command).toEqual([
          "node",
          "/app/node_modules/@app/shared/dist/migrations/cli.js",
          "migrations",
        ]);
        expect(
          container.env.find((e: { name: string }) => e.name === "DATABASE_URL").valueFrom
            .secretKeyRef,
        ).toBeDefined();
      }
    },
  );

  it("dev: the chart creates the Secret as a hook that precedes the migration Jobs", () => {
    const secrets = byKind("dev", "Secret");
    const main = secrets.find((s) => s.metadata.name === "po-product-ordering-secrets")!;
    expect(Object.keys(main.stringData).sort()).toEqual([
      "ADMIN_EMAIL",
      "ADMIN_PASSWORD",
      "AUTH_DATABASE_URL",
      "CATALOG_DATABASE_URL",
      "INTERNAL_TOKENS",
      "NOTIFIER_DATABASE_URL",
      "ORDER_DATABASE_URL",
      "REDIS_URL",
      "SERVICE_TOKEN",
    ]);
    expect(Number(main.metadata.annotations!["helm.sh/hook-weight"])).toBeLessThan(0);
    const jwt = secrets.find((s) => s.metadata.name === "po-product-ordering-jwt")!;
    expect(jwt.stringData.JWT_PRIVATE_KEY).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(jwt.metadata.annotations!["helm.sh/hook"]).toBe("pre-install");
  });

  it.each(["staging", "prod"])(
    "%s: with existingSecret the chart creates no Secret and every reference names it",
    (env) => {
      expect(byKind(env, "Secret")).toEqual([]);
      const existing = (
        parse(fs.readFileSync(values(env), "utf8")) as { secrets: { existingSecret: string } }
      ).secrets.existingSecret;
      const refs =
        JSON.stringify(rendered[env]!.manifests).match(/"secretKeyRef":\{"name":"[^"]+"/g) ?? [];
      expect(refs.length).toBeGreaterThan(0);
      expect(new Set(refs)).toEqual(new Set([`"secretKeyRef":{"name":"${existing}"`]));
    },
  );

  it("fails with the missing value named when prod has neither secrets nor existingSecret", () => {
    expect(rendered["prod-without-secret"]!.error).toMatch(
      /secrets\.databaseUrls\.\w+ is required/,
    );
  });

  it.each(ENVS)(
    "%s: only the order service may reach the catalog (its /internal API), only the catalog the order service's",
    (env) => {
      const policies = byKind(env, "NetworkPolicy");
      const callers = (component: string) => {
        const policy = policies.find(
          (p) => p.metadata.labels!["app.kubernetes.io/component"] === component,
        )!;
        return policy.spec.ingress.flatMap(
          (rule: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }) =>
            rule.from
              .filter((f) => f.podSelector)
              .map((f) => f.podSelector!.matchLabels["app.kubernetes.io/component"]),
        );
      };
      expect(callers("catalog")).toEqual(["order"]);
      expect(callers("order")).toEqual(["catalog"]);
      expect(callers("notifier")).toEqual([]);
      expect(callers("outbox-relay")).toEqual([]);
      const relay = policies.find(
        (p) => p.metadata.labels!["app.kubernetes.io/component"] === "outbox-relay",
      )!;
      const relayFromIngressController = JSON.stringify(relay.spec.ingress ?? []).includes(
        "ingress-nginx",
      );
      expect(relayFromIngressController).toBe(false);
    },
  );

  it.each(ENVS)(
    "%s: services run with MIGRATE_ON_START off, since the hook Jobs migrate",
    (env) => {
      const config = byKind(env, "ConfigMap").find(
        (c: K8sObject) => c.metadata.name === "po-product-ordering-config",
      )!;
      expect(config.data.MIGRATE_ON_START).toBe("false");
      for (const s of HTTP_SERVICES) {
        const d = named(env, "Deployment", s)!;
        expect(d.spec.template.spec.containers[0].envFrom[0].configMapRef.name).toBe(
          config.metadata.name,
        );
      }
    },
  );
});

describe("chart README", () => {
  it("documents every value of values.yaml", () => {
    const readme = fs.readFileSync(path.join(CHART, "README.md"), "utf8");
    const defaults = parse(fs.readFileSync(path.join(CHART, "values.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    // Whole-object values are documented as one row; services.<name> once for all services.
    const leafObjects = new Set([
      "resources",
      "podSecurityContext",
      "containerSecurityContext",
      "ingressControllerNamespaceSelector",
      "monitoringNamespaceSelector",
      "env",
      "annotations",
      "routes",
    ]);
    const keys: string[] = [];
    const walk = (node: Record<string, unknown>, prefix: string) => {
      for (const [key, value] of Object.entries(node)) {
        const full = prefix ? `${prefix}.${key}` : key;
        if (
          value &&
          typeof value === "object" &&
          !Array.isArray(value) &&
          Object.keys(value).length > 0 &&
          !leafObjects.has(key)
        )
          walk(value as Record<string, unknown>, full);
        else keys.push(full.replace(/^services\.[^.]+\./, "services.<name>."));
      }
    };
    walk(defaults, "");
    const undocumented = [...new Set(keys)].filter((key) => !readme.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });
});
