import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ENVS, GATEWAY_PORT, HTTP_SERVICES, podSpec, renderedChartForFile } from "../src/helmChart";
import type { K8sObject } from "../src/helm";
import { CHART } from "../src/paths";
import { chartRoutes, routeTable } from "../src/routes";

const chart = renderedChartForFile("chart-readme");
const { byKind, named } = chart;

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
    expect(chart.rendered["bad-value"]!.error).toMatch(/orderEventsPartitions/);
    expect(chart.rendered["bad-value"]!.error).toMatch(/integer/);
    expect(chart.rendered["unknown-value"]!.error).toMatch(/ingres/);
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
    const routes = chart.rendered["gateway-api"]!.manifests.filter((m) => m.kind === "HTTPRoute");
    expect(chart.rendered["gateway-api"]!.manifests.filter((m) => m.kind === "Ingress")).toEqual(
      [],
    );
    expect(routes).toHaveLength(1);
    const route = routes[0]!;
    expect(route.spec.parentRefs).toEqual([{ name: "public", namespace: "gateway" }]);
    const services = chart.rendered["gateway-api"]!.manifests.filter((m) => m.kind === "Service");
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
    expect(chart.rendered["gateway-api-without-parent"]!.error).toMatch(/parentRefs/);
  });

  it("restricts egress to DNS, the release's pods and the listed destinations when asked", () => {
    const policies = (name: string) =>
      chart.rendered[name]!.manifests.filter(
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
