import { declareCounters, eventTypeLabel, type EventOutcome, type Metrics } from "@app/shared";
import type { DeliveryOutcomes } from "../application/deliverDue";
import type { DeliveryStore } from "../application/ports";
import type { DeliveryChannel } from "../domain/delivery";

/**
 * Event outcomes (processed, duplicate, skipped, dead_lettered, retried). Lag per partition and
 * dead letters by group come from the shared consumer (`kafka_consumer_*`). Deliveries by channel
 * and outcome, and the age of the oldest pending one (read from the database on each scrape).
 */
export class PrometheusNotifierMetrics implements DeliveryOutcomes {
  private readonly counters;

  constructor(metrics: Metrics, deliveryStore: DeliveryStore) {
    this.counters = declareCounters(metrics, "notifier", {
      events: [
        "events_total",
        "Order events handled, by outcome and event type",
        ["outcome", "event_type"],
      ],
      duplicates: ["duplicate_events_total", "Redelivered events that changed nothing"],
      deliveries: [
        "deliveries_total",
        "Delivery attempts settled, by channel (email, webhook) and outcome (sent, retried, failed)",
        ["channel", "outcome"],
      ],
      endpointsDisabled: [
        "webhook_endpoints_disabled_total",
        "Webhook endpoints disabled for failing too long",
      ],
    });
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
    this.counters.events.inc({ outcome, event_type: eventTypeLabel(eventType) });
    if (outcome === "duplicate") this.counters.duplicates.inc();
  }

  settled(channel: DeliveryChannel, outcome: "sent" | "retried" | "failed"): void {
    this.counters.deliveries.inc({ channel: channel.toLowerCase(), outcome });
  }

  endpointDisabled(): void {
    this.counters.endpointsDisabled.inc();
  }
}
