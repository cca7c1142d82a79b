import { eventTypeLabel, type EventOutcome, type Metrics } from "@app/shared";

/**
 * Event outcomes (processed, duplicate, skipped, dead_lettered, retried). Lag per partition and
 * dead letters by group come from the shared consumer (`kafka_consumer_*`).
 */
export class PrometheusNotifierMetrics {
  private readonly events;
  private readonly duplicates;

  constructor(metrics: Metrics) {
    this.events = metrics.counter(
      "notifier_events_total",
      "Order events handled, by outcome and event type",
      ["outcome", "event_type"],
    );
    this.duplicates = metrics.counter(
      "notifier_duplicate_events_total",
      "Redelivered events that changed nothing",
    );
  }

  /** The event type comes from the message: bounded to the contract's types and "unknown". */
  outcome(outcome: EventOutcome, eventType: string): void {
    this.events.inc({ outcome, event_type: eventTypeLabel(eventType) });
    if (outcome === "duplicate") this.duplicates.inc();
  }
}
