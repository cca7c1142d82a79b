import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { kubernetesArgv, serviceImage } from "../src/containers";
import {
  AUTOSCALED,
  DEV_JWT_SECRET,
  ENVS,
  GATEWAY_PORT,
  HTTP_SERVICES,
  INLINE_KEY,
  MIGRATOR,
  podSpec,
  renderedChartForFile,
  SHA,
  TINI,
  values,
  WITH_MIGRATIONS,
} from "../src/helmChart";
import type { K8sObject } from "../src/helm";
import { schemaProblems } from "../src/kubernetesSchemas";
import { CHART } from "../src/paths";
import { chartRoutes } from "../src/routes";

const chart = renderedChartForFile("helm-rendered");
const { byKind, named, effectiveEnv, secretRefs } = chart;

describe("helm chart, rendered by real Helm", () => {
  it("passes helm lint --strict", () => {
    expect(chart.result.helmVersion).toMatch(/^v3\./);
    expect(chart.result.lint.failed).toBe(false);
  });

  it.each(ENVS)("renders with values-%s.yaml", (env) => {
    expect(chart.rendered[env]!.error).toBeUndefined();
    expect(chart.rendered[env]!.manifests.length).toBeGreaterThan(20);
  });

  it.each(ENVS)(
    "every %s manifest is valid for the Kubernetes API models (unknown fields, required fields, types)",
    (env) => {
      const invalid = chart.rendered[env]!.checks.filter(
        (c) => c.model === null || c.errors.length > 0,
      );
      expect(invalid).toEqual([]);
      expect(chart.rendered[env]!.checks).toHaveLength(chart.rendered[env]!.manifests.length);
    },
  );

  it.each(ENVS)("every %s manifest is valid against the Kubernetes JSON schemas", (env) => {
    const problems = chart.rendered[env]!.manifests.map((m) => ({
      kind: m.kind,
      name: m.metadata.name,
      problems: schemaProblems(m),
    }));
    expect(problems.filter((p) => p.problems.length > 0)).toEqual([]);
  });

  it("reports a manifest field the Kubernetes API does not define", () => {
    const typo = chart.rendered["typo-in-manifest"]!.checks.find((c) => c.name === "typo");
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
    expect(chart.rendered["internal-route"]!.error).toMatch(/\/internal is never routed/);
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
    expect(chart.rendered["notifier-past-partitions"]!.error).toMatch(
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
        // Failed deliveries counted across replicas (the contract's dead letter after 5).
        notifier: {
          DATABASE_URL: "NOTIFIER_DATABASE_URL",
          REDIS_URL: "REDIS_URL",
          AUTH_TOKEN: "SERVICE_TOKEN",
        },
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
    expect(chart.rendered["dev-again"]!.manifests).toEqual(chart.rendered.dev!.manifests);
    expect(chart.cluster.requests.filter((r) => r.includes("/secrets/"))).toEqual([]);
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
    const error = chart.rendered["dev-without-jwt-key"]!.error;
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
      expect(chart.rendered[name]!.error).toMatch(/image\.tag must be a commit SHA/);
    },
  );

  it("fails with the missing value named when prod has neither secrets nor existingSecret", () => {
    expect(chart.rendered["prod-without-secret"]!.error).toMatch(
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
