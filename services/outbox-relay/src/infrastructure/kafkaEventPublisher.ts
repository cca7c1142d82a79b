import {
  classifySendError,
  eventHeaders,
  KafkaClient,
  type EventProducer,
  type KafkaSecurity,
  type Logger,
} from "@app/shared";
import type { EventPublisher, PublishResult } from "../application/ports";
import type { OutboundEvent } from "../domain/outboxEvent";

export interface KafkaPublisherSettings {
  brokers: string[];
  topic: string;
  partitions: number;
  sendTimeoutMs: number;
  security?: KafkaSecurity;
  /** Create the topic and its DLQ when missing (local stack, tests); off where a Job creates them. */
  createTopics?: boolean;
  /** Pause after a failed (re)connect, doubling per failure up to the max (defaults 250 ms, 5 s). */
  reconnectBackoffMs?: { base: number; max: number };
}

class SendTimeoutError extends Error {
  override name = "SendTimeoutError";
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
 * lazily, so the relay starts and reports its backlog while Kafka is still down. A send Kafka
 * could not take drops the producer: the publisher is not ready (nothing is claimed, readiness
 * says so) until a reconnect, tried with growing pauses, succeeds.
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly kafka: KafkaClient;
  private readonly backoff: { base: number; max: number };
  private producer: EventProducer | undefined;
  private connecting: Promise<EventProducer | undefined> | undefined;
  private connectFailures = 0;
  private nextConnectAt = 0;
  private retiring: Promise<void> = Promise.resolve();
  private closed = false;
  private signalClosed: () => void = () => undefined;
  private readonly closedSignal = new Promise<undefined>(
    (resolve) => (this.signalClosed = () => resolve(undefined)),
  );

  constructor(
    private readonly settings: KafkaPublisherSettings,
    private readonly logger: Logger,
  ) {
    this.kafka = new KafkaClient({
      brokers: settings.brokers,
      clientId: "outbox-relay",
      logger,
      security: settings.security,
    });
    this.backoff = settings.reconnectBackoffMs ?? { base: 250, max: 5_000 };
  }

  async ready(): Promise<boolean> {
    if (this.closed) return false;
    if (this.producer) return true;
    if (Date.now() < this.nextConnectAt) return false;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    // A shutdown must not wait for a connect that keeps retrying against an absent broker.
    const producer = await Promise.race([this.connecting, this.closedSignal]);
    return producer !== undefined && !this.closed;
  }

  private async connect(): Promise<EventProducer | undefined> {
    try {
      // Idempotent: replicas starting together may all try, existing topics are left alone.
      if (this.settings.createTopics ?? true)
        await this.kafka.ensureTopics([
          { topic: this.settings.topic, partitions: this.settings.partitions },
          { topic: `${this.settings.topic}.dlq`, partitions: 1 },
        ]);
      const producer = await this.kafka.producer();
      if (this.closed) {
        await producer.disconnect();
        return undefined;
      }
      this.producer = producer;
      this.connectFailures = 0;
      this.logger.info("kafka producer connected", { topic: this.settings.topic });
      return producer;
    } catch (error) {
      if (this.closed) return undefined;
      this.connectFailures++;
      const retryInMs = Math.min(
        this.backoff.base * 2 ** (this.connectFailures - 1),
        this.backoff.max,
      );
      this.nextConnectAt = Date.now() + retryInMs;
      this.logger.warn("kafka unreachable; outbox rows wait", {
        error: (error as Error).message,
        retryInMs,
      });
      return undefined;
    }
  }

  /** Through the shared producer, which sends one batch at a time (KafkaClient.producer). */
  async publish(events: OutboundEvent[]): Promise<PublishResult> {
    const producer = this.producer;
    if (!producer)
      return { ok: false, reason: "unavailable", error: "kafka producer not connected" };
    const messages = events.map((e) => ({
      key: e.aggregateId,
      value: JSON.stringify(e.envelope),
      headers: eventHeaders(e.envelope, e.requestId ?? undefined),
      traceparent: e.traceparent ?? undefined,
    }));
    try {
      await withTimeout(producer.send(this.settings.topic, messages), this.settings.sendTimeoutMs);
      return { ok: true };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const reason = classifySendError(error);
      if (reason === "unavailable") this.lose(producer, message);
      return { ok: false, reason, error: message };
    }
  }

  /** Kafka stopped taking sends: start over with a fresh connection (and producer id) later. */
  private lose(producer: EventProducer, error: string): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    this.connectFailures = 1;
    this.nextConnectAt = Date.now() + this.backoff.base;
    this.logger.warn("kafka unavailable; publisher not ready until it reconnects", { error });
    this.retiring = producer.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signalClosed();
    const producer = this.producer;
    this.producer = undefined;
    await Promise.all([producer?.disconnect(), this.retiring]);
  }
}
