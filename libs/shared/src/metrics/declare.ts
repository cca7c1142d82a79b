import type client from "prom-client";
import type { Metrics } from "./index";

/** `[name after the prefix, help, label names]`; a histogram may add its buckets. */
export type MetricSpec = readonly [name: string, help: string, labels?: readonly string[]];
export type HistogramSpec = readonly [
  name: string,
  help: string,
  labels?: readonly string[],
  buckets?: number[],
];

type LabelOf<S> = S extends readonly [
  string,
  string,
  readonly (infer L extends string)[],
  ...unknown[],
]
  ? L
  : never;

type Declared<S, M extends Kind> = {
  [K in keyof S]: M extends "Counter"
    ? client.Counter<LabelOf<S[K]>>
    : M extends "Gauge"
      ? client.Gauge<LabelOf<S[K]>>
      : client.Histogram<LabelOf<S[K]>>;
};

type Kind = "Counter" | "Gauge" | "Histogram";
type Create = (
  metrics: Metrics,
  name: string,
  help: string,
  labels: readonly string[],
  buckets?: number[],
) => unknown;

/** A declaring function for one kind of metric: each spec named `<prefix>_<name>`. */
function declarer<M extends Kind, Spec extends HistogramSpec>(create: Create) {
  return <const S extends Record<string, Spec>>(metrics: Metrics, prefix: string, specs: S) =>
    Object.fromEntries(
      Object.entries(specs).map(([key, [name, help, labels = [], buckets]]) => [
        key,
        create(metrics, `${prefix}_${name}`, help, labels, buckets),
      ]),
    ) as Declared<S, M>;
}

/**
 * A service's counters, one line each, named `<prefix>_<name>` as the metric list says:
 * `declareCounters(metrics, "catalog", { reservations: ["reservations_total", "…", ["outcome"]] })`.
 */
export const declareCounters = declarer<"Counter", MetricSpec>((metrics, name, help, labels) =>
  metrics.counter(name, help, labels),
);

/** Gauges set by the service (not read at scrape time), declared as `declareCounters` does. */
export const declareGauges = declarer<"Gauge", MetricSpec>((metrics, name, help, labels) =>
  metrics.gauge(name, help, labels),
);

/** Histograms declared as `declareCounters` does; buckets default to the shared ones. */
export const declareHistograms = declarer<"Histogram", HistogramSpec>(
  (metrics, name, help, labels, buckets) => metrics.histogram(name, help, labels, buckets),
);
