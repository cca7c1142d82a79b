import { randomUUID } from "node:crypto";
import { waitFor } from "@app/shared/testing";
import {
  anOrderEvent,
  insertOutbox,
  relayTestFile,
  untilReady,
  type OrderEvent,
  type TopicCollector,
} from "./support";

// Rows written by the previous order service (envelope split into columns, no `envelope`) may
// still wait in the outbox when this relay starts; rows written now carry the whole envelope.
const file = relayTestFile("relay_upgrade");
let topicReader: TopicCollector;

beforeAll(async () => {
  await untilReady(await file.startRelay());
  topicReader = await file.readTopic();
});

const publishedEnvelope = async (eventId: string) => {
  const message = await waitFor(
    () => topicReader.messages.find((m) => m.headers["event-id"] === eventId),
    { what: `event ${eventId}`, timeoutMs: 30_000 },
  );
  return JSON.parse(message.value!.toString()) as unknown;
};

/** An outbox row as the order service writes it now: the whole envelope in `envelope`. */
async function insertWithEnvelope(event: OrderEvent): Promise<void> {
  await file.sql.query(
    `INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, envelope, request_id, status, available_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'READY', ?, ?)`,
    [
      event.eventId,
      event.aggregateType,
      event.aggregateId,
      event.eventType,
      JSON.stringify(event.payload),
      JSON.stringify(event),
      randomUUID(),
      new Date(event.occurredAt),
      new Date(event.occurredAt),
    ],
  );
}

describe("relay across the envelope-column upgrade", () => {
  it("ships a row written with its envelope as written, version included", async () => {
    const event = { ...anOrderEvent(), eventVersion: 2 };
    await insertWithEnvelope(event);
    expect(await publishedEnvelope(event.eventId)).toEqual(event);
  });

  it("ships a row the previous version wrote (no envelope) as the version 1 envelope it stands for", async () => {
    const event = anOrderEvent();
    await insertOutbox(file.sql, [event]);
    expect(await publishedEnvelope(event.eventId)).toEqual(event);
  });

  it("keeps an order's events in order when an old row is followed by a new one", async () => {
    const created = anOrderEvent({ eventType: "ORDER_CREATED" });
    const cancelled = {
      ...anOrderEvent({ orderId: created.aggregateId, eventType: "ORDER_CANCELLED" }),
      eventVersion: 2,
    };
    await insertOutbox(file.sql, [created]);
    await insertWithEnvelope(cancelled);
    expect(await publishedEnvelope(cancelled.eventId)).toEqual(cancelled);
    const ids = topicReader.eventIds();
    expect(ids.indexOf(created.eventId)).toBeLessThan(ids.indexOf(cancelled.eventId));
  });
});
