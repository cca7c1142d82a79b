import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { aPrivateKafka, freePort, type PrivateKafka } from "@app/shared/testing";
import { parse, stringify } from "yaml";
import { kubernetesArgv, serviceImage } from "../src/containers";
import { startFakeCluster, type FakeCluster } from "../src/fakeCluster";
import { runHelmCheck, type K8sObject, type RenderedCase, type HelmCheckResult } from "../src/helm";
import { schemaProblems } from "../src/kubernetesSchemas";
import { CACHE, CHART, repoPath } from "../src/paths";
import { chartRoutes, nginxRoutes, routeTable } from "../src/routes";
import { HELM_NGINX_CONF, helmNginxConf } from "../../../scripts/gateway/nginxConf";
import { startGateway, type RunningGateway } from "../../../scripts/stack/gateway";

const OUT = path.join(CACHE, "helm-render");
const ENVS = ["dev", "staging", "prod"] as const;
const values = (env: string) => path.join(CHART, `values-${env}.yaml`);
const HTTP_SERVICES = ["auth", "catalog", "order", "notifier"];
// The gateway Deployment serving the API documentation (values.yaml gateway.port).
const GATEWAY_PORT = 8080;
const AUTOSCALED = ["auth", "catalog", "order", "notifier"];
const WITH_MIGRATIONS = ["auth", "catalog", "order", "notifier"];
// Staging and production take no moving tag: their cases render with the SHA CI would pass.
const SHA = "0123456789abcdef0123456789abcdef01234567";
const TINI = ["/sbin/tini", "--"];
const MIGRATOR = ["node", "/app/node_modules/@app/shared/dist/migrations/cli.js", "migrations"];

/** Every Secret reference of a workload's first container: variable -> { secret, key }. */
type SecretRef = { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
const podSpec = (m: K8sObject) =>
  m.kind === "CronJob" ? m.spec.jobTemplate.spec.template.spec : m.spec.template.spec;
function secretRefs(m: K8sObject): Record<string, { secret: string; key: string }> {
  const container = podSpec(m).containers[0];
  expect(JSON.stringify(container.envFrom ?? [])).not.toContain("secretRef");
  return Object.fromEntries(
    ((container.env ?? []) as SecretRef[])
      .filter((e) => e.valueFrom?.secretKeyRef)
      .map((e) => [
        e.name,
        { secret: e.valueFrom!.secretKeyRef!.name, key: e.valueFrom!.secretKeyRef!.key },
      ]),
  );
}

/** A container's environment as the kubelet builds it: envFrom ConfigMaps first, env over them. */
function effectiveEnv(env: string, m: K8sObject): Record<string, string | undefined> {
  const container = podSpec(m).containers[0];
  const out: Record<string, string | undefined> = {};
  for (const from of container.envFrom ?? []) {
    const config = byKind(env, "ConfigMap").find(
      (c) => c.metadata.name === from.configMapRef?.name,
    );
    Object.assign(out, config?.data ?? {});
  }
  for (const e of container.env ?? []) out[e.name] = e.value;
  return out;
}

function overlay(name: string, content: object): string {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `overlay-${name}.yaml`);
  fs.writeFileSync(file, stringify(content));
  return file;
}

// Stand-ins for PEM keys given inline (the schema asks for a PEM header, nothing more).
const INLINE_KEY = "-----BEGIN PRIVATE KEY-----\ninline\n-----END PRIVATE KEY-----\n";
const ROTATED_KEY = "-----BEGIN PRIVATE KEY-----\nrotated\n-----END PRIVATE KEY-----\n";
// The Secret values-dev.yaml names for the signing key, created once outside the chart.
const DEV_JWT_SECRET = "product-ordering-dev-jwt";

const RUNBOOK = "https://runbooks.example.com/product-ordering.md";

let cluster: FakeCluster;
let result: HelmCheckResult;
let rendered: Record<string, RenderedCase>;

const byKind = (env: string, kind: string) =>
  rendered[env]!.manifests.filter((m) => m.kind === kind);
const named = (env: string, kind: string, component: string) =>
  byKind(env, kind).find((m) => m.metadata.labels?.["app.kubernetes.io/component"] === component);

beforeAll(async () => {
  // A cluster holding a signing key Secret: the chart must not read it (no lookup), so that
  // helm template (Argo CD) renders exactly what helm install does.
  cluster = await startFakeCluster(
    {
      [`product-ordering/${DEV_JWT_SECRET}`]: {
        JWT_PRIVATE_KEY: Buffer.from(INLINE_KEY).toString("base64"),
      },
    },
    OUT,
  );
  ({ result, rendered } = await runHelmCheck(
    {
      dev: [values("dev")],
      staging: [values("staging"), overlay("sha", { image: { tag: SHA } })],
      prod: [values("prod"), overlay("sha", { image: { tag: SHA } })],
      "prod-without-tag": [values("prod")],
      "prod-moving-tag": [values("prod"), overlay("moving-tag", { image: { tag: "stable" } })],
      "dev-dry-run": [values("dev"), overlay("dry-run", { archiver: { dryRun: true } })],
      // The same values rendered again, as every Argo CD sync does.
      "dev-again": [values("dev")],
      "dev-without-jwt-key": [
        values("dev"),
        overlay("without-jwt-key", { secrets: { jwtExistingSecret: "" } }),
      ],
      "dev-inline-jwt-key": [
        values("dev"),
        overlay("inline-jwt-key", {
          secrets: { jwtExistingSecret: "", jwtPrivateKey: INLINE_KEY },
        }),
      ],
      "dev-rotated-jwt-key": [
        values("dev"),
        overlay("rotated-jwt-key", {
          secrets: { jwtExistingSecret: "", jwtPrivateKey: ROTATED_KEY },
        }),
      ],
      "dev-admin-password-changed": [
        values("dev"),
        overlay("admin-password", { secrets: { adminPassword: "another-admin-password-2" } }),
      ],
      "dev-redis-changed": [
        values("dev"),
        overlay("redis", { secrets: { redisUrl: "redis://redis-2:6379" } }),
      ],
      "dev-log-level-changed": [
        values("dev"),
        overlay("log-level", { config: { logLevel: "warn" } }),
      ],
      "dev-reloader": [values("dev"), overlay("reloader", { reloader: { enabled: true } })],
      "topics-by-operator": [
        values("prod"),
        overlay("sha", { image: { tag: SHA } }),
        overlay("topics-by-operator", { kafka: { topics: { create: false } } }),
      ],
      "topics-min-isr-above-replicas": [
        values("dev"),
        overlay("min-isr", { kafka: { topics: { minInsyncReplicas: 2 } } }),
      ],
      // Distinct from the broker's defaults, so the run below shows the Job set them.
      "topics-one-broker": [
        values("dev"),
        overlay("topics-one-broker", {
          kafka: { orderEventsPartitions: 5, topics: { dlqPartitions: 2 } },
        }),
      ],
      "topics-sasl": [
        values("dev"),
        overlay("topics-sasl", { kafka: { topics: { clientConfigSecret: "kafka-admin-client" } } }),
      ],
      "no-gateway": [values("dev"), overlay("no-gateway", { gateway: { enabled: false } })],
      "prod-reloader": [
        values("prod"),
        overlay("sha", { image: { tag: SHA } }),
        overlay("reloader", { reloader: { enabled: true } }),
      ],
      "prod-without-secret": [
        values("prod"),
        overlay("sha", { image: { tag: SHA } }),
        overlay("no-secret", { secrets: { existingSecret: "" } }),
      ],
      "notifier-past-partitions": [
        values("prod"),
        overlay("sha", { image: { tag: SHA } }),
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
      monitoring: [
        values("prod"),
        overlay("sha", { image: { tag: SHA } }),
        overlay("monitoring", {
          monitoring: {
            serviceMonitor: { enabled: true, labels: { release: "kube-prometheus-stack" } },
            prometheusRule: { enabled: true },
            grafanaDashboard: { enabled: true, folder: "Shop" },
            runbookUrl: RUNBOOK,
          },
          tracing: { otlpEndpoint: "http://otel-collector.observability:4318" },
        }),
      ],
      "bad-value": [
        values("dev"),
        overlay("bad-value", { kafka: { orderEventsPartitions: "six" } }),
      ],
      "unknown-value": [values("dev"), overlay("unknown-value", { ingres: { host: "x" } })],
      "gateway-api": [
        values("dev"),
        overlay("gateway-api", {
          ingress: { enabled: false },
          gatewayApi: { enabled: true, parentRefs: [{ name: "public", namespace: "gateway" }] },
        }),
      ],
      "gateway-api-without-parent": [
        values("dev"),
        overlay("gateway-api-without-parent", { gatewayApi: { enabled: true } }),
      ],
      egress: [
        values("dev"),
        overlay("egress", {
          networkPolicy: {
            egress: {
              enabled: true,
              to: [{ to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ port: 3306 }] }],
            },
          },
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
    cluster.kubeconfig,
  ));
}, 180_000);

afterAll(async () => {
  await cluster?.close();
});

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
    expect(routed).toEqual(chartRoutes(GATEWAY_PORT));
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
      ).toEqual(["auth", "catalog", "gateway", "notifier", "order", "outbox-relay"]);
      for (const d of deployments) {
        const pod = d.spec.template.spec;
        // nginx is ready as soon as it is alive: it serves files baked into its image.
        const gateway = d.metadata.labels!["app.kubernetes.io/component"] === "gateway";
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        for (const c of pod.containers) {
          expect(c.livenessProbe.httpGet.path).toBe("/health/live");
          expect(c.readinessProbe.httpGet.path).toBe(gateway ? "/health/live" : "/health/ready");
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

  it.each(ENVS)(
    "%s: the relay, which creates order-events, gets kafka.orderEventsPartitions as ORDER_EVENTS_PARTITIONS",
    (env) => {
      const partitions = (
        parse(fs.readFileSync(values(env), "utf8")) as { kafka: { orderEventsPartitions: number } }
      ).kafka.orderEventsPartitions;
      for (const component of ["outbox-relay", "notifier", "catalog"]) {
        expect({
          component,
          partitions: effectiveEnv(env, named(env, "Deployment", component)!)
            .ORDER_EVENTS_PARTITIONS,
        }).toEqual({ component, partitions: String(partitions) });
      }
    },
  );

  it.each(["staging", "prod"])(
    "%s: the notifier never scales past the partitions the relay creates order-events with",
    (env) => {
      const relayEnv = effectiveEnv(env, named(env, "Deployment", "outbox-relay")!);
      const partitions = Number(relayEnv.ORDER_EVENTS_PARTITIONS);
      expect(partitions).toBeGreaterThan(0);
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
    expect(pdbs).toEqual(["auth", "catalog", "gateway", "notifier", "order", "outbox-relay"]);
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
    expect(kubernetesArgv(serviceImage("archiver"), container)).toEqual([
      ...TINI,
      "node",
      "dist/main.js",
    ]);
  });

  it("archiver.dryRun: the CronJob's container runs `node dist/main.js --dry-run` under tini", () => {
    const [cron] = byKind("dev-dry-run", "CronJob");
    const container = cron!.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.args).toEqual(["--dry-run"]);
    expect(kubernetesArgv(serviceImage("archiver"), container)).toEqual([
      ...TINI,
      "node",
      "dist/main.js",
      "--dry-run",
    ]);
  });

  it.each(ENVS)(
    "%s: every service's Deployment runs `node dist/main.js` of its image under tini",
    (env) => {
      for (const d of byKind(env, "Deployment").filter(
        (d) => d.metadata.labels!["app.kubernetes.io/component"] !== "gateway",
      )) {
        const component = d.metadata.labels!["app.kubernetes.io/component"]!;
        const container = d.spec.template.spec.containers[0];
        expect({ component, argv: kubernetesArgv(serviceImage(component), container) }).toEqual({
          component,
          argv: [...TINI, "node", "dist/main.js"],
        });
      }
    },
  );

  it.each(ENVS)(
    "%s: a pre-install/pre-upgrade migration Job runs the shared migrator for each database",
    (env) => {
      const jobs = byKind(env, "Job").filter((j) =>
        j.metadata.labels!["app.kubernetes.io/component"]!.endsWith("-migrate"),
      );
      expect(jobs.map((j) => j.metadata.labels!["app.kubernetes.io/component"]).sort()).toEqual(
        WITH_MIGRATIONS.map((s) => `${s}-migrate`).sort(),
      );
      for (const job of jobs) {
        expect(job.metadata.annotations!["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
        const container = job.spec.template.spec.containers[0];
        const service = job.metadata.labels!["app.kubernetes.io/component"]!.replace(
          /-migrate$/,
          "",
        );
        // Under the image's tini, which a `command` would have replaced.
        expect(container.command).toBeUndefined();
        expect(kubernetesArgv(serviceImage(service), container)).toEqual([...TINI, ...MIGRATOR]);
        expect(Object.keys(secretRefs(job))).toEqual(["DATABASE_URL"]);
      }
    },
  );

  it.each(ENVS)(
    "%s: each workload gets only the Secret keys it uses, one reference per key",
    (env) => {
      const workloads = [
        ...byKind(env, "Deployment"),
        ...byKind(env, "CronJob"),
        ...byKind(env, "Job"),
      ];
      const keys = Object.fromEntries(
        workloads.map((w) => [
          w.metadata.labels!["app.kubernetes.io/component"],
          Object.fromEntries(Object.entries(secretRefs(w)).map(([name, ref]) => [name, ref.key])),
        ]),
      );
      expect(keys).toEqual({
        auth: {
          DATABASE_URL: "AUTH_DATABASE_URL",
          REDIS_URL: "REDIS_URL",
          ADMIN_EMAIL: "ADMIN_EMAIL",
          ADMIN_PASSWORD: "ADMIN_PASSWORD",
          INTERNAL_TOKENS: "INTERNAL_TOKENS",
          JWT_PRIVATE_KEY: "JWT_PRIVATE_KEY",
        },
        catalog: {
          DATABASE_URL: "CATALOG_DATABASE_URL",
          REDIS_URL: "REDIS_URL",
          INTERNAL_TOKENS: "INTERNAL_TOKENS",
          ORDER_TOKEN: "SERVICE_TOKEN",
        },
        order: {
          DATABASE_URL: "ORDER_DATABASE_URL",
          REDIS_URL: "REDIS_URL",
          INTERNAL_TOKENS: "INTERNAL_TOKENS",
          CATALOG_TOKEN: "SERVICE_TOKEN",
        },
        notifier: { DATABASE_URL: "NOTIFIER_DATABASE_URL", AUTH_TOKEN: "SERVICE_TOKEN" },
        "outbox-relay": { DATABASE_URL: "ORDER_DATABASE_URL" },
        archiver: { DATABASE_URL: "ORDER_DATABASE_URL" },
        "auth-migrate": { DATABASE_URL: "AUTH_DATABASE_URL" },
        "catalog-migrate": { DATABASE_URL: "CATALOG_DATABASE_URL" },
        "order-migrate": { DATABASE_URL: "ORDER_DATABASE_URL" },
        "notifier-migrate": { DATABASE_URL: "NOTIFIER_DATABASE_URL" },
        "kafka-topics": {},
        gateway: {},
      });
    },
  );

  it("dev: every Secret reference resolves on the first install: hooks read hook Secrets created before them, the rest release Secrets", () => {
    const secrets = byKind("dev", "Secret");
    const hookWeight = (m: K8sObject) =>
      m.metadata.annotations?.["helm.sh/hook"]
        ? Number(m.metadata.annotations["helm.sh/hook-weight"] ?? 0)
        : null;
    const workloads = [
      ...byKind("dev", "Deployment"),
      ...byKind("dev", "CronJob"),
      ...byKind("dev", "Job"),
    ];
    expect(workloads).toHaveLength(12);
    for (const workload of workloads) {
      for (const [variable, ref] of Object.entries(secretRefs(workload))) {
        // The signing key's Secret is made once outside the chart (values-dev.yaml says how).
        if (ref.secret === DEV_JWT_SECRET) {
          expect({ workload: workload.metadata.name, variable }).toEqual({
            workload: "po-product-ordering-auth",
            variable: "JWT_PRIVATE_KEY",
          });
          continue;
        }
        const secret = secrets.find((s) => s.metadata.name === ref.secret);
        const where = `${workload.metadata.name} ${variable}`;
        expect({ where, secret: secret?.metadata.name }).toEqual({ where, secret: ref.secret });
        expect({ where, hasKey: ref.key in { ...secret!.stringData, ...secret!.data } }).toEqual({
          where,
          hasKey: true,
        });
        const workloadWeight = hookWeight(workload);
        if (workloadWeight === null) {
          // A release resource: a hook Secret may be gone (hook-succeeded) or not yet there.
          expect({ where, hook: secret!.metadata.annotations?.["helm.sh/hook"] }).toEqual({
            where,
            hook: undefined,
          });
        } else {
          expect({ where, hook: secret!.metadata.annotations?.["helm.sh/hook"] }).toEqual({
            where,
            hook: workload.metadata.annotations!["helm.sh/hook"],
          });
          expect(hookWeight(secret!)).toBeLessThan(workloadWeight);
        }
      }
    }
  });

  it("dev: the services' Secret is a release resource; the migrations' hook Secret holds only their database URLs and is deleted after them", () => {
    const secrets = byKind("dev", "Secret");
    const main = secrets.find((s) => s.metadata.name === "po-product-ordering-secrets")!;
    expect(main.metadata.annotations?.["helm.sh/hook"]).toBeUndefined();
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
    const migrations = secrets.find((s) => s.metadata.name === "po-product-ordering-migrations")!;
    expect(migrations.metadata.annotations).toMatchObject({
      "helm.sh/hook": "pre-install,pre-upgrade",
      "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
    });
    expect(Object.keys(migrations.stringData).sort()).toEqual([
      "AUTH_DATABASE_URL",
      "CATALOG_DATABASE_URL",
      "NOTIFIER_DATABASE_URL",
      "ORDER_DATABASE_URL",
    ]);
    for (const [key, url] of Object.entries(migrations.stringData))
      expect(main.stringData[key]).toBe(url);
  });

  it("never generates or looks up the JWT key: rendering the same values twice gives the same manifests, and Helm asks the cluster nothing", () => {
    expect(rendered["dev-again"]!.manifests).toEqual(rendered.dev!.manifests);
    expect(cluster.requests.filter((r) => r.includes("/secrets/"))).toEqual([]);
    const templates = fs
      .readdirSync(path.join(CHART, "templates"), { recursive: true, encoding: "utf8" })
      .filter((f) => /\.(ya?ml|tpl|txt)$/.test(f))
      .map((f) => fs.readFileSync(path.join(CHART, "templates", f), "utf8"))
      // Template comments may name what the chart avoids.
      .map((t) => t.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, ""));
    expect(
      templates.filter((t) =>
        /\{\{[^}]*\b(lookup|genPrivateKey|randAlphaNum|randBytes|uuidv4)\b/.test(t),
      ),
    ).toEqual([]);
    for (const name of ["dev", "staging", "prod"])
      expect(
        byKind(name, "Secret").filter((s) => "JWT_PRIVATE_KEY" in { ...s.data, ...s.stringData }),
      ).toEqual([]);
  });

  it("refuses to render without a signing key, naming the three ways to give one", () => {
    const error = rendered["dev-without-jwt-key"]!.error;
    expect(error).toMatch(/JWT signing key is required/);
    for (const value of [
      "secrets.existingSecret",
      "secrets.jwtExistingSecret",
      "secrets.jwtPrivateKey",
    ])
      expect(error).toContain(value);
  });

  it("auth reads the key from jwtExistingSecret (dev), existingSecret (staging, prod) or the chart's Secret when given inline", () => {
    const jwtRef = (name: string) => secretRefs(named(name, "Deployment", "auth")!).JWT_PRIVATE_KEY;
    expect(jwtRef("dev")).toEqual({ secret: DEV_JWT_SECRET, key: "JWT_PRIVATE_KEY" });
    expect(jwtRef("staging")).toEqual({
      secret: "product-ordering-staging",
      key: "JWT_PRIVATE_KEY",
    });
    expect(jwtRef("prod")).toEqual({ secret: "product-ordering-prod", key: "JWT_PRIVATE_KEY" });
    expect(jwtRef("dev-inline-jwt-key")).toEqual({
      secret: "po-product-ordering-secrets",
      key: "JWT_PRIVATE_KEY",
    });
    const chartSecret = byKind("dev-inline-jwt-key", "Secret").find(
      (s) => s.metadata.name === "po-product-ordering-secrets",
    )!;
    expect(chartSecret.stringData.JWT_PRIVATE_KEY).toBe(INLINE_KEY);
  });

  it("dev: images carry the moving tag CI pushes from main; staging and prod the commit SHA", () => {
    // The topics Job runs the Kafka tools image, pinned in values.yaml.
    const ours = (w: K8sObject) =>
      w.metadata.labels!["app.kubernetes.io/component"] !== "kafka-topics";
    const images = (env: string) =>
      [...byKind(env, "Deployment"), ...byKind(env, "CronJob"), ...byKind(env, "Job")]
        .filter(ours)
        .map((w) => podSpec(w).containers[0].image as string);
    expect(images("dev").every((image) => image.endsWith(":main"))).toBe(true);
    for (const env of ["staging", "prod"]) {
      expect(images(env).every((image) => image.endsWith(`:${SHA}`))).toBe(true);
    }
  });

  it.each(["prod-without-tag", "prod-moving-tag"])(
    "%s: production refuses to render without a commit SHA as image.tag",
    (name) => {
      expect(rendered[name]!.error).toMatch(/image\.tag must be a commit SHA/);
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
              .map((f) => f.podSelector!.matchLabels["app.kubernetes.io/component"])
              // The helm test Pod (a hook, only with tests.enabled) checks the public services.
              .filter((c) => c !== "test"),
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

  it.each(ENVS)(
    "%s: every HTTP service trusts exactly one proxy hop (the ingress controller) to name the client",
    (env) => {
      for (const s of HTTP_SERVICES)
        expect(effectiveEnv(env, named(env, "Deployment", s)!).TRUST_PROXY).toBe("1");
    },
  );

  it("prod runs in production mode, where the repository's documented secrets are refused; dev does not", () => {
    const nodeEnv = (env: string) => effectiveEnv(env, named(env, "Deployment", "auth")!).NODE_ENV;
    expect(nodeEnv("prod")).toBe("production");
    expect(nodeEnv("staging")).toBe("production");
    expect(nodeEnv("dev")).toBe("development");
  });
});

describe("helm chart, Kafka topics", () => {
  const topicsJob = (name: string) => named(name, "Job", "kafka-topics");
  const script = (name: string) => podSpec(topicsJob(name)!).containers[0].args[0] as string;
  const valuesOf = (env: string) =>
    parse(fs.readFileSync(values(env), "utf8")) as {
      kafka: { orderEventsPartitions: number; topics?: Record<string, number> };
    };

  it.each([
    ["prod", 12, 3, 2],
    ["staging", 6, 3, 2],
    ["dev", 3, 1, 1],
  ] as const)(
    "%s: a pre-install/pre-upgrade hook Job creates order-events (%i partitions) and its DLQ with replication factor %i and min.insync.replicas %i",
    (env, partitions, replicas, minIsr) => {
      expect(valuesOf(env).kafka.orderEventsPartitions).toBe(partitions);
      const job = topicsJob(env)!;
      expect(job.metadata.annotations).toMatchObject({
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
      });
      const container = podSpec(job).containers[0];
      expect(container.image).toBe("apache/kafka:4.1.1");
      expect(container.command).toEqual(["/bin/sh", "-ec"]);
      const lines = script(env).trim().split("\n");
      expect(lines).toEqual([
        'topics() { /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$KAFKA_BROKERS" "$@"; }',
        `topics --create --if-not-exists --topic order-events --partitions ${partitions} --replication-factor ${replicas} --config min.insync.replicas=${minIsr}`,
        `topics --create --if-not-exists --topic order-events.dlq --partitions 1 --replication-factor ${replicas} --config min.insync.replicas=${minIsr}`,
        "topics --describe --topic order-events",
      ]);
      expect(effectiveEnv(env, job).KAFKA_BROKERS).toBe(
        effectiveEnv(env, named(env, "Deployment", "outbox-relay")!).KAFKA_BROKERS,
      );
    },
  );

  it.each(["dev", "staging", "prod", "topics-by-operator"])(
    "%s: no service creates topics (KAFKA_CREATE_TOPICS=false in the ConfigMap every one reads)",
    (name) => {
      const services = byKind(name, "Deployment").filter(
        (d) => d.metadata.labels!["app.kubernetes.io/component"] !== "gateway",
      );
      expect(services).toHaveLength(5);
      for (const d of services) expect(effectiveEnv(name, d).KAFKA_CREATE_TOPICS).toBe("false");
    },
  );

  it("kafka.topics.create false renders no Job and no account for it", () => {
    expect(topicsJob("topics-by-operator")).toBeUndefined();
    expect(
      byKind("topics-by-operator", "ServiceAccount").map((a) => a.metadata.name),
    ).not.toContain("po-product-ordering-kafka-topics");
  });

  it("refuses min.insync.replicas above the replication factor", () => {
    expect(rendered["topics-min-isr-above-replicas"]!.error).toMatch(
      /minInsyncReplicas \(2\) exceeds kafka.topics.replicationFactor \(1\)/,
    );
  });

  it("passes the client settings of clientConfigSecret to kafka-topics.sh, for brokers that need TLS or SASL", () => {
    expect(script("topics-sasl")).toContain("--command-config /etc/kafka-client/client.properties");
    const pod = podSpec(topicsJob("topics-sasl")!);
    expect(pod.volumes).toContainEqual({
      name: "kafka-client",
      secret: {
        secretName: "kafka-admin-client",
        items: [{ key: "client.properties", path: "client.properties" }],
      },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "kafka-client",
      mountPath: "/etc/kafka-client",
      readOnly: true,
    });
  });
});

describe("helm chart, the topics Job's script run against a real broker", () => {
  let broker: PrivateKafka;
  const runJob = async () => {
    const container = podSpec(named("topics-one-broker", "Job", "kafka-topics")!).containers[0];
    // The image's kafka-topics.sh is the tools' TopicCommand: the same class through kafka.sh.
    const shim = path.join(OUT, "kafka-topics.sh");
    fs.writeFileSync(
      shim,
      `#!/bin/sh\nexec bash ${repoPath("scripts/infra/kafka.sh")} run org.apache.kafka.tools.TopicCommand "$@"\n`,
      { mode: 0o755 },
    );
    const script = (container.args[0] as string).replaceAll("/opt/kafka/bin/kafka-topics.sh", shim);
    const { stdout } = await promisify(execFile)(
      container.command[0],
      [...container.command.slice(1), script],
      {
        env: { ...process.env, KAFKA_BROKERS: broker.address },
        timeout: 180_000,
      },
    );
    return stdout;
  };

  beforeAll(async () => {
    broker = await aPrivateKafka();
    await broker.start();
  }, 900_000);

  afterAll(async () => {
    await broker?.remove();
  }, 120_000);

  it("creates order-events and its DLQ with the partitions and min.insync.replicas of the values, and a second run (the next upgrade) leaves them as they are", async () => {
    // "PartitionCount: 5 ReplicationFactor: 1 Configs: min.insync.replicas=1,segment.bytes=..."
    const described = (out: string) => {
      const m = /PartitionCount: (\d+)\s+ReplicationFactor: (\d+)\s+Configs: (\S*)/.exec(out);
      const configs = Object.fromEntries(m![3]!.split(",").map((c) => c.split("=")));
      return { partitions: m![1], replicas: m![2], minIsr: configs["min.insync.replicas"] };
    };
    const expected = { partitions: "5", replicas: "1", minIsr: "1" };
    expect(described(await runJob())).toEqual(expected);
    const dlq = await broker.runTool("org.apache.kafka.tools.TopicCommand", [
      "--bootstrap-server",
      broker.address,
      "--describe",
      "--topic",
      "order-events.dlq",
    ]);
    expect(described(dlq)).toEqual({ ...expected, partitions: "2" });
    expect(described(await runJob())).toEqual(expected);
  }, 400_000);
});

describe("helm chart, the API documentation gateway", () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    // The chart's config, run by a real nginx against the repository's files.
    gateway = await startGateway({ port: await freePort(), upstreams: {}, filesOnly: true });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it.each(ENVS)(
    "%s: a gateway Deployment runs the gateway image with the chart's files/gateway-nginx.conf, which npm run gateway:render writes",
    (env) => {
      const file = fs.readFileSync(repoPath(HELM_NGINX_CONF), "utf8");
      expect(file).toBe(helmNginxConf());
      const config = byKind(env, "ConfigMap").find(
        (c) => c.metadata.name === "po-product-ordering-gateway",
      )!;
      expect(config.data["nginx.conf"]).toBe(file);
      const deployment = named(env, "Deployment", "gateway")!;
      const pod = podSpec(deployment);
      expect(pod.containers[0].image).toBe(
        `ghcr.io/example/product-ordering/gateway:${env === "dev" ? "main" : SHA}`,
      );
      // The image's own CMD (nginx in the foreground): no command or args.
      expect(pod.containers[0].command).toBeUndefined();
      expect(pod.containers[0].args).toBeUndefined();
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: "config",
        mountPath: "/etc/nginx/nginx.conf",
        subPath: "nginx.conf",
        readOnly: true,
      });
      expect(pod.volumes).toContainEqual({
        name: "config",
        configMap: { name: "po-product-ordering-gateway" },
      });
      expect(named(env, "Service", "gateway")!.spec.ports[0].port).toBe(GATEWAY_PORT);
    },
  );

  it("its config serves the files of gateway/routes.json and proxies nothing", () => {
    const conf = helmNginxConf();
    expect(nginxRoutes(conf)).toEqual([]);
    expect(conf).not.toMatch(/^\s*upstream |proxy_pass/m);
    for (const f of routeTable().files) expect(conf).toContain(`location = ${f.path} {`);
  });

  it("that config, in a real nginx, serves the OpenAPI document, the docs page and its script, its health, and 404 for every other path", async () => {
    const get = (p: string) => fetch(`${gateway.url}${p}`);
    const spec = await get("/api/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.headers.get("content-type")).toMatch(/^application\/json/);
    const document = (await spec.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths)).toContain("/api/v1/orders");
    const page = await get("/api/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("/api/docs/scalar.js");
    const script = await get("/api/docs/scalar.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(1000);
    const health = await get("/health/live");
    expect({ status: health.status, body: await health.json() }).toEqual({
      status: 200,
      body: { status: "ok" },
    });
    for (const path of ["/api/v1/products", "/internal/v1/reservations", "/"]) {
      const other = await get(path);
      expect({ path, status: other.status }).toEqual({ path, status: 404 });
      expect(((await other.json()) as { code: string }).code).toBe("NOT_FOUND");
    }
  });

  it("gateway.enabled false renders no gateway and routes no documentation path", () => {
    const name = "no-gateway";
    expect(rendered[name]!.error).toBeUndefined();
    expect(
      rendered[name]!.manifests.filter(
        (m) =>
          m.metadata.labels?.["app.kubernetes.io/component"] === "gateway" && m.kind !== "Ingress",
      ),
    ).toEqual([]);
    const [ingress] = byKind(name, "Ingress");
    const paths = JSON.stringify(ingress!.spec.rules);
    expect(paths).not.toContain("/api/docs");
    expect(paths).not.toContain("/api/openapi.json");
  });
});

describe("helm chart, pods roll when what they read changes", () => {
  const DEPLOYED = ["auth", "catalog", "notifier", "order", "outbox-relay"];
  const template = (name: string, component: string) =>
    named(name, "Deployment", component)!.spec.template;
  /** The Deployments whose pod template differs between two renders. */
  const rolled = (before: string, after: string) =>
    DEPLOYED.filter(
      (c) => JSON.stringify(template(before, c)) !== JSON.stringify(template(after, c)),
    );

  it("a changed admin password rolls auth only, the one workload that reads it", () => {
    expect(rolled("dev", "dev-admin-password-changed")).toEqual(["auth"]);
  });

  it("a changed Redis URL rolls auth, catalog and order, not the notifier or the relay", () => {
    expect(rolled("dev", "dev-redis-changed")).toEqual(["auth", "catalog", "order"]);
  });

  it("a rotated inline signing key rolls auth only", () => {
    expect(rolled("dev-inline-jwt-key", "dev-rotated-jwt-key")).toEqual(["auth"]);
  });

  it("a changed ConfigMap value rolls every Deployment (each reads the whole ConfigMap)", () => {
    expect(rolled("dev", "dev-log-level-changed")).toEqual(DEPLOYED);
  });

  it("the same values roll nothing", () => {
    expect(rolled("dev", "dev-again")).toEqual([]);
  });

  it("with reloader.enabled each Deployment names the Secrets made outside the chart that it reads, for Stakater Reloader", () => {
    const reload = (name: string, component: string) =>
      named(name, "Deployment", component)!.metadata.annotations?.[
        "secret.reloader.stakater.com/reload"
      ];
    for (const c of DEPLOYED) {
      expect({ c, reload: reload("prod-reloader", c) }).toEqual({
        c,
        reload: "product-ordering-prod",
      });
      expect({ c, reload: reload("prod", c) }).toEqual({ c, reload: undefined });
      // dev's values are the chart's own (checksums); only the key's Secret is made outside.
      expect({ c, reload: reload("dev-reloader", c) }).toEqual({
        c,
        reload: c === "auth" ? DEV_JWT_SECRET : undefined,
      });
    }
  });
});

describe("helm chart, monitoring and tracing", () => {
  const kinds = (env: string) => rendered[env]!.manifests.map((m) => m.kind);

  it("renders no monitoring objects and no tracing variables unless asked", () => {
    for (const env of ENVS) {
      expect(kinds(env)).not.toContain("ServiceMonitor");
      expect(kinds(env)).not.toContain("PrometheusRule");
      expect(
        byKind(env, "ConfigMap")
          .map((c) => Object.keys(c.data ?? {}))
          .flat(),
      ).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    }
  });

  it("renders a ServiceMonitor for the /metrics port of every service, valid for the operator's schema", () => {
    expect(rendered.monitoring!.error).toBeUndefined();
    const [monitor, ...others] = byKind("monitoring", "ServiceMonitor");
    expect(others).toEqual([]);
    expect(schemaProblems(monitor!)).toEqual([]);
    expect(monitor!.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
    expect(monitor!.spec.endpoints).toEqual([
      expect.objectContaining({ port: "http", path: "/metrics" }),
    ]);
    expect(monitor!.spec.targetLabels).toEqual(["app.kubernetes.io/part-of"]);
    type Expression = { key: string; operator: "In" | "NotIn"; values: string[] };
    const { matchLabels, matchExpressions = [] } = monitor!.spec.selector as {
      matchLabels: Record<string, string>;
      matchExpressions?: Expression[];
    };
    const selected = byKind("monitoring", "Service").filter(
      (svc) =>
        Object.entries(matchLabels).every(([k, v]) => svc.metadata.labels?.[k] === v) &&
        matchExpressions.every(
          (e) => e.values.includes(svc.metadata.labels?.[e.key] ?? "") === (e.operator === "In"),
        ),
    );
    expect(
      selected.map((svc) => svc.metadata.labels!["app.kubernetes.io/component"]).sort(),
    ).toEqual([...HTTP_SERVICES, "outbox-relay"].sort());
    for (const svc of selected) {
      expect(svc.spec.ports.map((p: { name: string }) => p.name)).toContain("http");
      expect(svc.metadata.labels!["app.kubernetes.io/part-of"]).toBe("product-ordering");
    }
  });

  it("renders the PrometheusRule from files/prometheus-rules.yaml with the runbook links rebased", () => {
    const [rule, ...others] = byKind("monitoring", "PrometheusRule");
    expect(others).toEqual([]);
    expect(schemaProblems(rule!)).toEqual([]);
    const file = fs.readFileSync(path.join(CHART, "files/prometheus-rules.yaml"), "utf8");
    expect(rule!.spec).toEqual(parse(file.replaceAll("docs/runbook.md", RUNBOOK)));
    const urls = (rule!.spec.groups as { rules: { annotations: { runbook_url: string } }[] }[])
      .flatMap((g) => g.rules)
      .map((r) => r.annotations.runbook_url);
    expect(urls.length).toBeGreaterThanOrEqual(10);
    for (const url of urls)
      expect(url).toMatch(new RegExp(`^${RUNBOOK.replaceAll(".", "\\.")}#[a-z0-9]+$`));
  });

  it("ships the Grafana dashboard as a ConfigMap the sidecar picks up", () => {
    const dashboard = byKind("monitoring", "ConfigMap").find(
      (c) => c.metadata.labels?.grafana_dashboard === "1",
    );
    expect(dashboard?.metadata.annotations).toEqual({ grafana_folder: "Shop" });
    const file = fs.readFileSync(path.join(CHART, "files/grafana-dashboard.json"), "utf8");
    expect(JSON.parse(dashboard!.data["product-ordering.json"])).toEqual(JSON.parse(file));
  });

  it("hands the OTLP endpoint and sampler to every service through the standard variables", () => {
    for (const d of byKind("monitoring", "Deployment").filter(
      (d) => d.metadata.labels!["app.kubernetes.io/component"] !== "gateway",
    ))
      expect(effectiveEnv("monitoring", d)).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability:4318",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      });
  });
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
      "secretEnv",
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

  it("refuses a value of the wrong type or an unknown key, naming it (values.schema.json)", () => {
    expect(rendered["bad-value"]!.error).toMatch(/orderEventsPartitions/);
    expect(rendered["bad-value"]!.error).toMatch(/integer/);
    expect(rendered["unknown-value"]!.error).toMatch(/ingres/);
  });

  it.each(ENVS)(
    "%s: every workload runs as its own ServiceAccount, which mounts no API token",
    (env) => {
      const accounts = byKind(env, "ServiceAccount");
      expect(accounts.length).toBeGreaterThan(5);
      for (const account of accounts)
        expect(
          (account as { automountServiceAccountToken?: boolean }).automountServiceAccountToken,
        ).toBe(false);
      const workloads = [
        ...byKind(env, "Deployment"),
        ...byKind(env, "CronJob"),
        ...byKind(env, "Job"),
        ...byKind(env, "Pod"),
      ];
      const names = new Set(accounts.map((a) => a.metadata.name));
      const specOf = (w: K8sObject) => (w.kind === "Pod" ? w.spec : podSpec(w));
      const used = workloads.map((w) => specOf(w).serviceAccountName as string);
      expect(used.filter((name) => !names.has(name))).toEqual([]);
      // One account per Deployment: no two services share an identity.
      const deployments = byKind(env, "Deployment").map((d) => podSpec(d).serviceAccountName);
      expect(new Set(deployments).size).toBe(deployments.length);
      expect(workloads.every((w) => specOf(w).automountServiceAccountToken === false)).toBe(true);
    },
  );

  it("has a helm test hook that checks each public service's readiness and OpenAPI document, and the gateway's health and docs routes", () => {
    const [test] = byKind("dev", "Pod").filter(
      (p) => p.metadata.annotations?.["helm.sh/hook"] === "test",
    );
    const script = (test!.spec.containers[0].args as string[]).join("\n");
    for (const service of HTTP_SERVICES) {
      expect(script).toMatch(new RegExp(`check http://[^ ]*-${service}:\\d+/health/ready`));
      expect(script).toMatch(new RegExp(`check http://[^ ]*-${service}:\\d+/openapi\\.json`));
    }
    const gateway = `check http://po-product-ordering-gateway:${GATEWAY_PORT}`;
    const checks = script.split("\n").map((l) => l.trim());
    expect(checks).toContain(`${gateway}/health/live`);
    for (const f of routeTable().files) expect(checks).toContain(`${gateway}${f.path}`);
    // The NetworkPolicies let the test Pod reach what it checks.
    const testPod = { "app.kubernetes.io/component": "test" };
    for (const component of [...HTTP_SERVICES, "gateway"]) {
      const policy = named("dev", "NetworkPolicy", component)!;
      expect({ component, from: JSON.stringify(policy.spec.ingress) }).toEqual({
        component,
        from: expect.stringContaining(JSON.stringify(testPod).slice(1, -1)),
      });
    }
  });

  it("renders the routes of gateway/routes.json as a Gateway API HTTPRoute when asked", () => {
    const routes = rendered["gateway-api"]!.manifests.filter((m) => m.kind === "HTTPRoute");
    expect(rendered["gateway-api"]!.manifests.filter((m) => m.kind === "Ingress")).toEqual([]);
    expect(routes).toHaveLength(1);
    const route = routes[0]!;
    expect(route.spec.parentRefs).toEqual([{ name: "public", namespace: "gateway" }]);
    const services = rendered["gateway-api"]!.manifests.filter((m) => m.kind === "Service");
    const routed = route.spec.rules.map(
      (rule: {
        matches: { path: { type: string; value: string } }[];
        backendRefs: { name: string; port: number }[];
      }) => ({
        path: rule.matches[0]!.path.value,
        match: rule.matches[0]!.path.type === "Exact" ? "exact" : "prefix",
        service: services.find((s) => s.metadata.name === rule.backendRefs[0]!.name)?.metadata
          .labels?.["app.kubernetes.io/component"],
        port: rule.backendRefs[0]!.port,
      }),
    );
    expect(routed).toEqual(chartRoutes(GATEWAY_PORT));
    expect(rendered["gateway-api-without-parent"]!.error).toMatch(/parentRefs/);
  });

  it("restricts egress to DNS, the release's pods and the listed destinations when asked", () => {
    const policies = (name: string) =>
      rendered[name]!.manifests.filter(
        (m) => m.kind === "NetworkPolicy" && m.spec.policyTypes.includes("Egress"),
      );
    expect(policies("dev")).toEqual([]);
    const [egress, ...more] = policies("egress");
    expect(more).toEqual([]);
    expect(egress!.spec.podSelector.matchLabels["app.kubernetes.io/instance"]).toBe("po");
    expect(egress!.spec.egress).toEqual([
      expect.objectContaining({ ports: expect.arrayContaining([{ port: 53, protocol: "UDP" }]) }),
      {
        to: [
          {
            podSelector: {
              matchLabels: expect.objectContaining({ "app.kubernetes.io/instance": "po" }),
            },
          },
        ],
      },
      { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ port: 3306 }] },
    ]);
  });
});
