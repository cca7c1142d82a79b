import { eventTypeLabel, type EventOutcome, type Metrics } from "@app/shared";
import type { DeliveryOutcomes } from "../application/deliverDue";
import type { DeliveryStore } from "../application/ports";
import type { DeliveryChannel } from "../domain/delivery";

/**
 * Event outcomes (processed, duplicate, skipped, dead_lettered, retried). Lag per partition and
 * dead letters by group come from the shared consumer (`kafka_consumer_*`). Deliveries by channel
 * and outcome, and the age of the oldest pending one (read from the database on each scrape).
 */
export class PrometheusNotifierMetrics implements DeliveryOutcomes {
  private readonly events;
  private readonly duplicates;
  private readonly deliveries;
  private readonly endpointsDisabled;

  constructor(metrics: Metrics, deliveryStore: DeliveryStore) {
    this.events = metrics.counter(
      "notifier_events_total",
      "Order events handled, by outcome and event type",
      ["outcome", "event_type"],
    );
    this.duplicates = metrics.counter(
      "notifier_duplicate_events_total",
      "Redelivered events that changed nothing",
    );
    this.deliveries = metrics.counter(
      "notifier_deliveries_total",
      "Delivery attempts settled, by channel (email, webhook) and outcome (sent, retried, failed)",
      ["channel", "outcome"],
    );
    this.endpointsDisabled = metrics.counter(
      "notifier_webhook_endpoints_disabled_total",
      "Webhook endpoints disabled for failing too long",
    );
    metrics.gauge(
      "notifier_delivery_oldest_pending_age_seconds",
      "Age of the oldest delivery not yet sent or given up, by channel",
      ["channel"],
      async function () {
        // A scrape while the database is away keeps the last values rather than failing.
        const ages = await deliveryStore.oldestPendingAgeSeconds(new Date()).catch(() => null);
        for (const [channel, age] of Object.entries(ages ?? {}))
          this.set({ channel: channel.toLowerCase() }, age);
      },
    );
  }

  /** The event type comes from the message: bounded to the contract's types and "unknown". */
  outcome(outcome: EventOutcome, eventType: string): void {
    this.events.inc({ outcome, event_type: eventTypeLabel(eventType) });
    if (outcome === "duplicate") this.duplicates.inc();
  }

  settled(channel: DeliveryChannel, outcome: "sent" | "retried" | "failed"): void {
    this.deliveries.inc({ channel: channel.toLowerCase(), outcome });
  }

  endpointDisabled(): void {
    this.endpointsDisabled.inc();
  }
}
