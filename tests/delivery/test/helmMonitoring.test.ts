import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ENVS, HTTP_SERVICES, renderedChartForFile, RUNBOOK } from "../src/helmChart";
import { schemaProblems } from "../src/kubernetesSchemas";
import { CHART } from "../src/paths";

const chart = renderedChartForFile("helm-monitoring");
const { byKind, effectiveEnv } = chart;

describe("helm chart, monitoring and tracing", () => {
  const kinds = (env: string) => chart.rendered[env]!.manifests.map((m) => m.kind);

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
    expect(chart.rendered.monitoring!.error).toBeUndefined();
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
