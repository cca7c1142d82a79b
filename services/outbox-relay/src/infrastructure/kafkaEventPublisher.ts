import { eventHeaders, KafkaClient, type EventProducer, type Logger } from "@app/shared";
import type { EventPublisher, PublishResult } from "../application/ports";
import type { OutboundEvent } from "../domain/outboxEvent";

export interface KafkaPublisherSettings {
  brokers: string[];
  topic: string;
  partitions: number;
  sendTimeoutMs: number;
}

class SendTimeoutError extends Error {
  override name = "SendTimeoutError";
}

/** The broker refused the message itself (kafkajs marks such protocol errors non-retriable). */
function isRejection(error: unknown): boolean {
  for (
    let e = error as { name?: string; retriable?: boolean; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.name === "KafkaJSProtocolError" && e.retriable === false) return true;
  }
  return false;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeoutError(`send timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes to order-events through the shared idempotent producer (acks=-1). It connects
 * lazily, so the relay starts and reports its backlog while Kafka is still down.
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly kafka: KafkaClient;
  private producer: EventProducer | undefined;
  private connecting: Promise<EventProducer> | undefined;
  private closed = false;
  private signalClosed: () => void = () => undefined;
  private readonly closedSignal = new Promise<undefined>(
    (resolve) => (this.signalClosed = () => resolve(undefined)),
  );

  constructor(
    private readonly settings: KafkaPublisherSettings,
    private readonly logger: Logger,
  ) {
    this.kafka = new KafkaClient({ brokers: settings.brokers, clientId: "outbox-relay", logger });
  }

  async ready(): Promise<boolean> {
    if (this.producer) return true;
    if (this.closed) return false;
    this.connecting ??= this.connect();
    const connecting = this.connecting;
    try {
      // A shutdown must not wait for a connect that keeps retrying against an absent broker.
      const producer = await Promise.race([connecting, this.closedSignal]);
      if (!producer) {
        void connecting.then(
          (p) => p.disconnect(),
          () => undefined,
        );
        return false;
      }
      this.producer = producer;
      if (this.closed) await producer.disconnect();
      return !this.closed;
    } catch (error) {
      this.logger.warn("kafka unreachable; outbox rows wait", { error: (error as Error).message });
      return false;
    } finally {
      this.connecting = undefined;
    }
  }

  private async connect(): Promise<EventProducer> {
    // Idempotent: replicas starting together may all try, existing topics are left alone.
    await this.kafka.ensureTopics([
      { topic: this.settings.topic, partitions: this.settings.partitions },
      { topic: `${this.settings.topic}.dlq`, partitions: 1 },
    ]);
    const producer = await this.kafka.producer();
    this.logger.info("kafka producer connected", { topic: this.settings.topic });
    return producer;
  }

  async publish(events: OutboundEvent[]): Promise<PublishResult> {
    const producer = this.producer;
    if (!producer)
      return { ok: false, reason: "unavailable", error: "kafka producer not connected" };
    const messages = events.map((e) => ({
      key: e.aggregateId,
      value: JSON.stringify(e.envelope),
      headers: eventHeaders(e.envelope, e.requestId ?? undefined),
    }));
    try {
      await withTimeout(producer.send(this.settings.topic, messages), this.settings.sendTimeoutMs);
      return { ok: true };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { ok: false, reason: isRejection(error) ? "rejected" : "unavailable", error: message };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signalClosed();
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
