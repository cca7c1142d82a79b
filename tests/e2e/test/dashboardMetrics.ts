// Which metrics the Grafana dashboard's queries name, read with Prometheus' own PromQL grammar
// (@prometheus-io/lezer-promql, the parser of Prometheus' web UI), and which metric names a
// service's exposition declares, so a test can hold one against the other.
import { parser } from "@prometheus-io/lezer-promql";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

export interface DashboardQuery {
  /** Where it sits: the panel title, or the template variable's name. */
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels?: Panel[];
  templating?: { list?: { name: string; query?: string | { query?: string } }[] };
}

/** Every PromQL query of a dashboard: panel targets (rows included) and template variables. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const fromPanels = (panels: Panel[] = []): DashboardQuery[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? [])
        .filter((t) => t.expr)
        .map((t) => ({ where: panel.title ?? "(untitled panel)", expr: t.expr! })),
      ...fromPanels(panel.panels),
    ]);
  const fromVariables = (dashboard.templating?.list ?? []).flatMap((variable) => {
    const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
    // Grafana's label_values(<selector>, <label>) wraps a PromQL selector.
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(query ?? "")?.[1];
    return selector ? [{ where: `variable ${variable.name}`, expr: selector }] : [];
  });
  return [...fromPanels(dashboard.panels), ...fromVariables];
}

// Grafana fills these in before Prometheus sees the query; any valid stand-in parses the same.
const GRAFANA_VARIABLES: [RegExp, string][] = [
  [/\$__rate_interval|\$__interval|\$__range/g, "5m"],
  [/\$\{?\w+\}?/g, ".*"],
];

export type QueryNames = { ok: true; metrics: string[] } | { ok: false; error: string };

/** The metric names a query selects, or why it cannot be read. */
export function metricNamesIn(expr: string): QueryNames {
  const promql = GRAFANA_VARIABLES.reduce(
    (text, [pattern, value]) => text.replace(pattern, value),
    expr,
  );
  const tree = parser.parse(promql);
  const metrics: string[] = [];
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        error ??= `syntax error at ${node.from}: ${promql.slice(node.from, node.from + 20)}`;
      if (node.name !== "VectorSelector") return;
      const name = selectorName(node.node, promql);
      if (name) metrics.push(name);
      else error ??= `a selector without a metric name: ${promql.slice(node.from, node.to)}`;
    },
  });
  return error ? { ok: false, error } : { ok: true, metrics: [...new Set(metrics)] };
}

// `metric{...}`, or `{__name__="metric", ...}`; a regex on __name__ names no one metric.
function selectorName(selector: SyntaxNode, text: string): string | undefined {
  const identifier = selector.getChild("Identifier");
  if (identifier) return text.slice(identifier.from, identifier.to);
  const matchers = selector.getChild("LabelMatchers");
  for (const matcher of matchers?.getChildren("UnquotedLabelMatcher") ?? []) {
    const label = matcher.getChild("LabelName");
    const op = matcher.getChild("MatchOp")?.firstChild;
    const value = matcher.getChild("StringLiteral");
    if (
      label &&
      value &&
      op?.name === "EqlSingle" &&
      text.slice(label.from, label.to) === "__name__"
    )
      return JSON.parse(text.slice(value.from, value.to)) as string;
  }
  return undefined;
}

// The series names each family type exposes (Prometheus text format).
const SERIES_SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/**
 * The series names an exposition declares with `# TYPE` lines: a family is declared even before
 * its first sample, so a counter no request has touched yet still counts as exported.
 */
export function exposedSeriesNames(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE ([A-Za-z_:][\w:]*) (\w+)$/gm)].flatMap(([, name, type]) =>
    (SERIES_SUFFIXES[type!] ?? [""]).map((suffix) => `${name}${suffix}`),
  );
}

/** One line per query that names an unknown metric or cannot be parsed; empty when all is well. */
export function dashboardProblems(dashboard: Dashboard, exported: Set<string>): string[] {
  return dashboardQueries(dashboard).flatMap(({ where, expr }) => {
    const names = metricNamesIn(expr);
    if (!names.ok) return [`${where}: ${names.error}`];
    return names.metrics
      .filter((metric) => !exported.has(metric))
      .map((metric) => `${where}: ${metric} is not exported by any service`);
  });
}
