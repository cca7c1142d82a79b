import {
  createOrderEvent,
  eventHeaders,
  KafkaClient,
  type EventEnvelope,
  type Pool,
} from "@app/shared";

export interface OutboxCopier {
  stop(): Promise<void>;
}

interface OutboxRow {
  id: number;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: unknown;
  request_id: string | null;
  created_at: Date;
}

/**
 * Test-only stand-in for the outbox relay: copies READY rows to a topic so the real catalog
 * consumes the events. (The real relay, ordering and retries are the relay's and e2e's tests.)
 */
export async function startOutboxCopier(
  sql: Pool,
  brokers: string[],
  topic: string,
): Promise<OutboxCopier> {
  const producer = await new KafkaClient({ brokers, clientId: "order-test-copier" }).producer();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rows: OutboxRow[] = await sql.query(
        "SELECT id, event_id, event_type, aggregate_id, payload, request_id, created_at FROM outbox_events WHERE status = 'READY' ORDER BY id LIMIT 50",
      );
      for (const row of rows) {
        const payload = (
          typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload
        ) as Record<string, unknown>;
        const envelope: EventEnvelope = {
          ...createOrderEvent(
            row.event_type as "ORDER_CREATED",
            row.aggregate_id,
            payload,
            row.created_at,
          ),
          eventId: row.event_id,
        };
        await producer.send(topic, [
          {
            key: row.aggregate_id,
            value: JSON.stringify(envelope),
            headers: eventHeaders(envelope, row.request_id ?? undefined),
          },
        ]);
        await sql.query(
          "UPDATE outbox_events SET status = 'PUBLISHED', published_at = NOW(3) WHERE id = ?",
          [row.id],
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await producer.disconnect();
    },
  };
}
