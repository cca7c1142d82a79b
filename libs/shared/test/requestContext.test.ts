import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import {
  callJson,
  createLogger,
  currentRequestId,
  KafkaClient,
  reliableHandler,
  createOrderEvent,
  eventHeaders,
  outgoingHeaders,
  type EventEnvelope,
  orderEventEnvelopes,
} from "../src";
import { testServers, uniqueName, waitFor } from "../src/testing";
import { buildTestApp } from "./testApp";

describe("request id", () => {
  test("echoes a sane X-Request-Id and puts it on the access log line", async () => {
    const t = buildTestApp((a) =>
      a.get("/things/:id", (_req, res) => void res.json({ requestId: currentRequestId() })),
    );
    const res = await request(t.app).get("/things/42").set("X-Request-Id", "abc-123");
    expect(res.headers["x-request-id"]).toBe("abc-123");
    expect(res.body.requestId).toBe("abc-123");
    const access = t.lines.find((l) => l.msg === "http request");
    expect(access).toMatchObject({
      requestId: "abc-123",
      method: "GET",
      route: "/things/:id",
      status: 200,
      service: "test-svc",
    });
    expect(typeof access!.durationMs).toBe("number");
    expect(typeof access!.timestamp).toBe("string");
  });

  test("replaces an insane X-Request-Id with a new one", async () => {
    const t = buildTestApp((a) => a.get("/x", (_req, res) => void res.json({})));
    const res = await request(t.app).get("/x").set("X-Request-Id", "bad id with spaces <script>");
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("is passed on in outgoing HTTP calls made while handling a request", async () => {
    let seen: string | undefined;
    const downstream = http.createServer((req, res) => {
      seen = req.headers["x-request-id"] as string;
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
    await new Promise<void>((r) => downstream.listen(0, "127.0.0.1", r));
    const port = (downstream.address() as AddressInfo).port;
    const t = buildTestApp((a) =>
      a.get("/proxy", async (_req, res) => {
        const answer = await callJson(`http://127.0.0.1:${port}/`);
        res.json({ status: answer.status });
      }),
    );
    await request(t.app).get("/proxy").set("X-Request-Id", "hop-1").expect(200);
    downstream.close();
    expect(seen).toBe("hop-1");
  });

  test("survives a real Kafka round trip: header on the message, restored in the consumer", async () => {
    const { kafkaBrokers } = testServers();
    const logger = createLogger({ service: "test", silent: true });
    const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName("ctx"), logger });
    const topic = uniqueName("ctx_topic");
    await kafka.ensureTopics([
      { topic, partitions: 1 },
      { topic: `${topic}.dlq`, partitions: 1 },
    ]);
    const producer = await kafka.producer();
    const consumer = kafka.consumer(uniqueName("ctx_group"));
    const received: { requestId?: string; envelope: EventEnvelope }[] = [];
    try {
      await consumer.run(
        [topic],
        reliableHandler({
          envelopes: orderEventEnvelopes,
          groupId: "ctx",
          dlq: producer,
          dlqTopic: `${topic}.dlq`,
          logger,
          handle: async (envelope) => {
            received.push({ requestId: currentRequestId(), envelope });
            return "processed";
          },
        }),
      );
      const event = createOrderEvent("ORDER_CREATED", "6f1c2a1e-9a55-4d7e-9d0a-2f7f2b0c1d11", {
        total: 1,
      });
      // The producing side takes the id from its own request context.
      const t = buildTestApp((a) =>
        a.post("/emit", async (_req, res) => {
          await producer.send(topic, [
            {
              key: event.aggregateId,
              value: JSON.stringify(event),
              headers: { ...eventHeaders(event), ...outgoingHeaders() },
            },
          ]);
          res.status(202).end();
        }),
      );
      await request(t.app).post("/emit").set("X-Request-Id", "kafka-hop-7").expect(202);
      const got = await waitFor(() => received[0], {
        timeoutMs: 30_000,
        what: "the consumed event",
      });
      expect(got.requestId).toBe("kafka-hop-7");
      expect(got.envelope.eventId).toBe(event.eventId);
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
    }
  });
});
