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

type Declared<S, M extends "Counter" | "Gauge" | "Histogram"> = {
  [K in keyof S]: M extends "Counter"
    ? client.Counter<LabelOf<S[K]>>
    : M extends "Gauge"
      ? client.Gauge<LabelOf<S[K]>>
      : client.Histogram<LabelOf<S[K]>>;
};

function declare<S extends Record<string, HistogramSpec>, M>(
  specs: S,
  prefix: string,
  create: (name: string, help: string, labels: readonly string[], buckets?: number[]) => M,
) {
  return Object.fromEntries(
    Object.entries(specs).map(([key, [name, help, labels = [], buckets]]) => [
      key,
      create(`${prefix}_${name}`, help, labels, buckets),
    ]),
  );
}

/**
 * A service's counters, one line each, named `<prefix>_<name>` as the metric list says:
 * `declareCounters(metrics, "catalog", { reservations: ["reservations_total", "…", ["outcome"]] })`.
 */
export function declareCounters<const S extends Record<string, MetricSpec>>(
  metrics: Metrics,
  prefix: string,
  specs: S,
): Declared<S, "Counter"> {
  return declare(specs, prefix, (name, help, labels) =>
    metrics.counter(name, help, labels),
  ) as Declared<S, "Counter">;
}

/** Gauges set by the service (not read at scrape time), declared as `declareCounters` does. */
export function declareGauges<const S extends Record<string, MetricSpec>>(
  metrics: Metrics,
  prefix: string,
  specs: S,
): Declared<S, "Gauge"> {
  return declare(specs, prefix, (name, help, labels) =>
    metrics.gauge(name, help, labels),
  ) as Declared<S, "Gauge">;
}

/** Histograms declared as `declareCounters` does; buckets default to the shared ones. */
export function declareHistograms<const S extends Record<string, HistogramSpec>>(
  metrics: Metrics,
  prefix: string,
  specs: S,
): Declared<S, "Histogram"> {
  return declare(specs, prefix, (name, help, labels, buckets) =>
    metrics.histogram(name, help, labels, buckets),
  ) as Declared<S, "Histogram">;
}
