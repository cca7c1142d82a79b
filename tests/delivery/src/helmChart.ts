// The chart as real Helm (helm-java) renders it, once per test file: every case below, in a
// render folder of the file's own (files run in parallel), against a fake cluster holding the dev
// signing key's Secret. The helm*.test.ts files read what they check from here.
import fs from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { startFakeCluster, type FakeCluster } from "./fakeCluster";
import { runHelmCheck, type HelmCheckResult, type K8sObject, type RenderedCase } from "./helm";
import { CACHE, CHART } from "./paths";

export const ENVS = ["dev", "staging", "prod"] as const;
export const values = (env: string) => path.join(CHART, `values-${env}.yaml`);
export const HTTP_SERVICES = ["auth", "catalog", "order", "notifier"];
// The gateway Deployment serving the API documentation (values.yaml gateway.port).
export const GATEWAY_PORT = 8080;
export const AUTOSCALED = ["auth", "catalog", "order", "notifier"];
export const WITH_MIGRATIONS = ["auth", "catalog", "order", "notifier"];
// Staging and production take no moving tag: their cases render with the SHA CI would pass.
export const SHA = "0123456789abcdef0123456789abcdef01234567";
export const TINI = ["/sbin/tini", "--"];
export const MIGRATOR = [
  "node",
  "/app/node_modules/@app/shared/dist/migrations/cli.js",
  "migrations",
];

/** An env entry, which may take its value from a Secret. */
type SecretRef = { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
export const podSpec = (m: K8sObject) =>
  m.kind === "CronJob" ? m.spec.jobTemplate.spec.template.spec : m.spec.template.spec;

// Stand-ins for PEM keys given inline (the schema asks for a PEM header, nothing more).
export const INLINE_KEY = "-----BEGIN PRIVATE KEY-----\ninline\n-----END PRIVATE KEY-----\n";
export const ROTATED_KEY = "-----BEGIN PRIVATE KEY-----\nrotated\n-----END PRIVATE KEY-----\n";
// The Secret values-dev.yaml names for the signing key, created once outside the chart.
export const DEV_JWT_SECRET = "product-ordering-dev-jwt";

export const RUNBOOK = "https://runbooks.example.com/product-ordering.md";

export interface RenderedChart {
  /** The render folder of this file. */
  outDir: string;
  cluster: FakeCluster;
  result: HelmCheckResult;
  rendered: Record<string, RenderedCase>;
  byKind(env: string, kind: string): K8sObject[];
  named(env: string, kind: string, component: string): K8sObject | undefined;
  /** Every Secret reference of a workload's first container: variable -> { secret, key }. */
  secretRefs(m: K8sObject): Record<string, { secret: string; key: string }>;
  /** A container's environment as the kubelet builds it: envFrom ConfigMaps first, env over them. */
  effectiveEnv(env: string, m: K8sObject): Record<string, string | undefined>;
}

/** Writes a values overlay into the render folder and returns its path. */
function writeOverlay(outDir: string, name: string, content: object): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `overlay-${name}.yaml`);
  fs.writeFileSync(file, stringify(content));
  return file;
}

/** Every case the chart's tests read: case name -> values files, later ones over earlier ones. */
function chartCases(outDir: string): Record<string, string[]> {
  const overlay = (name: string, content: object) => writeOverlay(outDir, name, content);
  return {
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
    "bad-value": [values("dev"), overlay("bad-value", { kafka: { orderEventsPartitions: "six" } })],
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
  };
}

/** Lints and renders the chart before the file's tests (one JVM); stops the fake cluster after. */
export function renderedChartForFile(fileName: string): RenderedChart {
  const chart = { outDir: path.join(CACHE, "helm-render", fileName) } as RenderedChart;
  beforeAll(async () => {
    // A cluster holding a signing key Secret: the chart must not read it (no lookup), so that
    // helm template (Argo CD) renders exactly what helm install does.
    chart.cluster = await startFakeCluster(
      {
        [`product-ordering/${DEV_JWT_SECRET}`]: {
          JWT_PRIVATE_KEY: Buffer.from(INLINE_KEY).toString("base64"),
        },
      },
      chart.outDir,
    );
    ({ result: chart.result, rendered: chart.rendered } = await runHelmCheck(
      chartCases(chart.outDir),
      chart.outDir,
      chart.cluster.kubeconfig,
    ));
  }, 180_000);
  afterAll(async () => {
    await chart.cluster?.close();
  });

  chart.byKind = (env, kind) => chart.rendered[env]!.manifests.filter((m) => m.kind === kind);
  chart.named = (env, kind, component) =>
    chart
      .byKind(env, kind)
      .find((m) => m.metadata.labels?.["app.kubernetes.io/component"] === component);
  chart.secretRefs = (m) => {
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
  };
  chart.effectiveEnv = (env, m) => {
    const container = podSpec(m).containers[0];
    const out: Record<string, string | undefined> = {};
    for (const from of container.envFrom ?? []) {
      const config = chart
        .byKind(env, "ConfigMap")
        .find((c) => c.metadata.name === from.configMapRef?.name);
      Object.assign(out, config?.data ?? {});
    }
    for (const e of container.env ?? []) out[e.name] = e.value;
    return out;
  };
  return chart;
}
