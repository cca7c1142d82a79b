import client from "prom-client";

/**
 * One registry per process (or per test app) with default metrics and the HTTP histogram;
 * domain metrics are created through it and named `<service or domain>_<thing>` in base units
 * (`_total`, `_seconds`), as the README's metric list says. No default label: the scrape adds
 * job, service, pod and instance, and a `service` label of our own would collide with the
 * Prometheus Operator's (it would be renamed `exported_service`).
 */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpDuration: client.Histogram<"method" | "route" | "status">;

  constructor(options: { collectDefaults?: boolean } = {}) {
    if (options.collectDefaults ?? true) client.collectDefaultMetrics({ register: this.registry });
    this.httpDuration = this.histogram(
      "http_request_duration_seconds",
      "HTTP request duration by method, route template and status",
      ["method", "route", "status"],
    );
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
    return new client.Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: client.Gauge<L>) => void | Promise<void>,
  ) {
    return new client.Gauge<L>({ name, help, labelNames, registers: [this.registry], collect });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ) {
    return new client.Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}

export {
  declareCounters,
  declareGauges,
  declareHistograms,
  type HistogramSpec,
  type MetricSpec,
} from "./declare";
