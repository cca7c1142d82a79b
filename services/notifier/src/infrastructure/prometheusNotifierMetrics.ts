import { eventTypeLabel, type EventOutcome, type Metrics } from "@app/shared";

/** Event outcomes (processed, duplicate, skipped, dead_lettered, retried) and consumer lag. */
export class PrometheusNotifierMetrics {
  private readonly events;
  private readonly duplicates;
  private readonly deadLettered;

  constructor(metrics: Metrics, lag: () => Promise<number> | undefined) {
    this.events = metrics.counter(
      "notifier_events_total",
      "Order events handled, by outcome and event type",
      ["outcome", "event_type"],
    );
    this.duplicates = metrics.counter(
      "notifier_duplicate_events_total",
      "Redelivered events that changed nothing",
    );
    this.deadLettered = metrics.counter("notifier_dead_lettered_total", "Messages sent to the DLQ");
    metrics.gauge(
      "notifier_consumer_lag",
      "Messages on the topic not yet committed by the notifier's group",
      [],
      async function () {
        try {
          const value = await lag();
          if (value !== undefined) this.set(value);
        } catch {
          // Kafka unreachable during a scrape: the previous value stays.
        }
      },
    );
  }

  /** The event type comes from the message: bounded to the contract's types and "unknown". */
  outcome(outcome: EventOutcome, eventType: string): void {
    this.events.inc({ outcome, event_type: eventTypeLabel(eventType) });
    if (outcome === "duplicate") this.duplicates.inc();
    if (outcome === "dead_lettered") this.deadLettered.inc();
  }
}
