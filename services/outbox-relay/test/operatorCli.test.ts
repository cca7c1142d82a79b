import { KafkaClient, type Pool } from "@app/shared";
import { testServers, uniqueName, type TestDatabase } from "@app/shared/testing";
import { randomUUID } from "node:crypto";
import { dlqCli } from "../src/dlqCli";
import { outboxCli } from "../src/outboxCli";
import {
  anOrderDatabase,
  anOrderEvent,
  collectTopic,
  insertOutbox,
  outboxRows,
  type TopicCollector,
} from "./support";

/** Runs a CLI in-process and returns its exit code and stdout lines (parsed JSON). */
async function run(
  cli: typeof dlqCli,
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const code = await cli(argv, { LOG_LEVEL: "error", ...env }, (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { code, lines };
}

describe("outbox CLI", () => {
  let db: TestDatabase;
  let sql: Pool;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ db, sql } = await anOrderDatabase());
    env = { DATABASE_URL: db.url };
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  it("status counts rows by status and lists the FAILED ones", async () => {
    const failed = anOrderEvent();
    await insertOutbox(sql, [anOrderEvent(), anOrderEvent()], { status: "READY" });
    await insertOutbox(sql, [anOrderEvent()], { status: "PUBLISHED", publishedAt: new Date() });
    await insertOutbox(sql, [failed], { status: "FAILED" });

    const { code, lines } = await run(outboxCli, ["status"], env);

    expect(code).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      failed: expect.objectContaining({ eventId: failed.eventId, eventType: "ORDER_CREATED" }),
    });
    expect(lines[1]).toEqual(
      expect.objectContaining({ command: "status", READY: 2, PUBLISHED: 1, FAILED: 1 }),
    );
    expect(lines[1]!.oldestReadyAgeSeconds).toEqual(expect.any(Number));
  });

  it("requeue --failed --dry-run counts without changing a row; requeue --failed makes them READY with a fresh budget", async () => {
    await sql.query(
      "UPDATE outbox_events SET attempts = 20, last_error = 'refused' WHERE status = 'FAILED'",
    );
    const before = await outboxRows(sql);

    const dry = await run(outboxCli, ["requeue", "--failed", "--dry-run"], env);
    expect(dry).toEqual({
      code: 0,
      lines: [{ command: "requeue", dryRun: true, matched: 1, requeued: 0 }],
    });
    expect(await outboxRows(sql)).toEqual(before);

    const real = await run(outboxCli, ["requeue", "--failed"], env);
    expect(real.lines).toEqual([{ command: "requeue", dryRun: false, matched: 1, requeued: 1 }]);
    const rows = await outboxRows(sql);
    expect(rows.filter((r) => r.status === "FAILED")).toEqual([]);
    const requeued = rows.find(
      (r) => r.event_id === before.find((b) => b.status === "FAILED")!.event_id,
    )!;
    expect(requeued).toEqual(
      expect.objectContaining({ status: "READY", attempts: 0, last_error: null }),
    );
  });

  it("requeue --event-id moves only that FAILED row", async () => {
    const [one, other] = [anOrderEvent(), anOrderEvent()];
    await insertOutbox(sql, [one, other], { status: "FAILED" });

    const { lines } = await run(outboxCli, ["requeue", "--event-id", one.eventId], env);

    expect(lines).toEqual([
      { command: "requeue", dryRun: false, eventId: one.eventId, matched: 1, requeued: 1 },
    ]);
    const rows = await outboxRows(sql);
    expect(rows.find((r) => r.event_id === one.eventId)!.status).toBe("READY");
    expect(rows.find((r) => r.event_id === other.eventId)!.status).toBe("FAILED");
  });

  it("answers 64 and prints nothing on stdout for a bad command line", async () => {
    for (const argv of [[], ["requeue"], ["purge"], ["status", "--bogus"]]) {
      expect(await run(outboxCli, argv, env)).toEqual({ code: 64, lines: [] });
    }
  });
});

describe("DLQ CLI", () => {
  const topic = uniqueName("cli_events");
  const dlqTopic = `${topic}.dlq`;
  const replayTopic = uniqueName("cli_replayed");
  let kafka: KafkaClient;
  let env: Record<string, string>;
  let replayed: TopicCollector;
  const poison = anOrderEvent({ eventType: "ORDER_CANCELLED" });
  const other = anOrderEvent();

  beforeAll(async () => {
    kafka = new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "dlq-cli-test" });
    await kafka.ensureTopics([
      { topic: dlqTopic, partitions: 1 },
      { topic: replayTopic, partitions: 3 },
    ]);
    env = {
      KAFKA_BROKERS: testServers().kafkaBrokers.join(","),
      ORDER_EVENTS_TOPIC: topic,
      ORDER_EVENTS_DLQ_TOPIC: dlqTopic,
    };
    // Dead letters as the shared reliable handler writes them: the original message plus dlq-*.
    const producer = await kafka.producer();
    await producer.send(
      dlqTopic,
      [poison, other].map((event) => ({
        key: event.aggregateId,
        value: JSON.stringify(event),
        headers: {
          "event-id": event.eventId,
          "event-type": event.eventType,
          "x-request-id": "req-1",
          "dlq-error": "ORDER_CANCELLED has no reservationId",
          "dlq-error-type": "PermanentEventError",
          "dlq-original-topic": topic,
          "dlq-original-partition": "0",
          "dlq-original-offset": "7",
          "dlq-consumer-group": "catalog",
          "dlq-attempts": "1",
        },
      })),
    );
    await producer.disconnect();
    replayed = await collectTopic(replayTopic);
  }, 60_000);

  afterAll(async () => {
    await replayed.stop();
    await kafka.deleteTopics([dlqTopic, replayTopic]).catch(() => undefined);
  });

  it("list prints one line per dead letter with its reason, then the count", async () => {
    const { code, lines } = await run(dlqCli, ["list"], env);
    expect(code).toBe(0);
    expect(lines).toEqual([
      expect.objectContaining({
        eventId: poison.eventId,
        eventType: "ORDER_CANCELLED",
        key: poison.aggregateId,
        errorType: "PermanentEventError",
        consumerGroup: "catalog",
        attempts: 1,
      }),
      expect.objectContaining({ eventId: other.eventId }),
      { command: "list", topic: dlqTopic, count: 2 },
    ]);
  }, 60_000);

  it("show --event-id prints that dead letter's headers and value", async () => {
    const { lines } = await run(dlqCli, ["show", "--event-id", poison.eventId], env);
    expect(lines).toEqual([
      expect.objectContaining({
        eventId: poison.eventId,
        headers: expect.objectContaining({ "dlq-original-offset": "7" }),
        value: poison,
      }),
      { command: "show", eventId: poison.eventId, count: 1 },
    ]);
  }, 60_000);

  it("replay --dry-run publishes nothing; replay --event-id publishes it once with its event id, key and headers", async () => {
    const dry = await run(
      dlqCli,
      ["replay", "--event-id", poison.eventId, "--to", replayTopic, "--dry-run"],
      env,
    );
    expect(dry.lines).toEqual([
      {
        command: "replay",
        dryRun: true,
        eventId: poison.eventId,
        matched: 1,
        replayed: 0,
        topics: { [replayTopic]: 1 },
      },
    ]);

    const real = await run(
      dlqCli,
      ["replay", "--event-id", poison.eventId, "--to", replayTopic],
      env,
    );
    expect(real.lines).toEqual([{ ...dry.lines[0], dryRun: false, replayed: 1 }]);

    // The dry run sent nothing: the only message on the topic is the real replay's.
    await replayed.waitForCount(1);
    const [message] = replayed.messages;
    expect(replayed.messages).toHaveLength(1);
    expect(message!.key).toBe(poison.aggregateId);
    expect(JSON.parse(message!.value!.toString())).toEqual(poison);
    expect(message!.headers).toEqual(
      expect.objectContaining({
        "event-id": poison.eventId,
        "event-type": "ORDER_CANCELLED",
        "x-request-id": "req-1",
        "dlq-replayed-from": `${dlqTopic}/0/0`,
      }),
    );
    expect(
      Object.keys(message!.headers).filter(
        (h) => h.startsWith("dlq-") && h !== "dlq-replayed-from",
      ),
    ).toEqual([]);
  }, 60_000);

  it("replay --all sends every dead letter back to the topic it came from by default", async () => {
    const { lines } = await run(dlqCli, ["replay", "--all", "--dry-run"], env);
    expect(lines).toEqual([
      { command: "replay", dryRun: true, matched: 2, replayed: 0, topics: { [topic]: 2 } },
    ]);
  }, 60_000);

  // The tool built its Kafka client without the TLS and SASL settings the relay reads, so
  // against a managed cluster it could not connect; an incomplete SASL setting went unnoticed.
  it("reads the Kafka TLS and SASL settings as the relay does", async () => {
    await expect(
      run(dlqCli, ["list"], { ...env, KAFKA_SASL_MECHANISM: "plain" }),
    ).rejects.toMatchObject({
      issues: expect.arrayContaining([
        expect.objectContaining({ variable: "KAFKA_SASL_USERNAME" }),
      ]),
    });
    await expect(
      run(dlqCli, ["list"], { ...env, KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ variable: "KAFKA_SSL_CA_FILE" })],
    });
  });

  it("answers 64 for a replay without a selection, or with both", async () => {
    expect(await run(dlqCli, ["replay"], env)).toEqual({ code: 64, lines: [] });
    expect(await run(dlqCli, ["replay", "--all", "--event-id", randomUUID()], env)).toEqual({
      code: 64,
      lines: [],
    });
    expect(await run(dlqCli, ["show"], env)).toEqual({ code: 64, lines: [] });
  });
});
