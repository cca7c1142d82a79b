import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { createLogger, type Pool } from "@app/shared";
import { freePort, uniqueName, waitFor, type TestDatabase } from "@app/shared/testing";
import { startRelay, type RunningRelay } from "../src/main";
import {
  anOrderDatabase,
  anOrderEvent,
  collectTopic,
  countByStatus,
  insertOutbox,
  metricValue,
  outboxRows,
  relayConfig,
} from "./support";

// A private broker this test may stop and start: the shared one on :9092 serves everyone else.
const KAFKA_SCRIPT = path.join(__dirname, "../../../scripts/infra/kafka.sh");
const run = promisify(execFile);

interface PrivateBroker {
  address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

async function aPrivateBroker(): Promise<PrivateBroker> {
  const home = path.join(os.tmpdir(), uniqueName("relay_kafka"));
  const port = await freePort();
  const env = {
    ...process.env,
    KAFKA_HOME_DIR: home,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    // A JVM start on a loaded 2-core machine: minutes, not seconds (60 s was seen to fail).
    KAFKA_START_TIMEOUT: "150",
  };
  const broker = {
    address: `127.0.0.1:${port}`,
    start: async () => void (await run("bash", [KAFKA_SCRIPT, "start"], { env, timeout: 180_000 })),
    stop: async () => void (await run("bash", [KAFKA_SCRIPT, "stop"], { env, timeout: 60_000 })),
    async remove() {
      await broker.stop().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
  return broker;
}

/** The relay's log lines, read back: its reconnects are what an outage makes it do. */
function aRecordedLogger() {
  const lines: { level: string; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as { level: string; msg: string });
      done();
    },
  });
  return { logger: createLogger({ service: "outbox-relay", level: "warn", stream }), lines };
}

const MAX_ATTEMPTS = 2;

describe("Kafka stopped while orders are written", () => {
  const topic = uniqueName("relay_restart");
  const log = aRecordedLogger();
  let broker: PrivateBroker;
  let db: TestDatabase;
  let sql: Pool;
  let relay: RunningRelay;

  beforeAll(async () => {
    // The jars, once per machine (Maven Central); a no-op when already there.
    await run("bash", [KAFKA_SCRIPT, "fetch"], { timeout: 600_000 });
    broker = await aPrivateBroker();
    await broker.start();
    ({ db, sql } = await anOrderDatabase());
    relay = await startRelay(
      relayConfig(db.url, topic, {
        KAFKA_BROKERS: broker.address,
        RELAY_SEND_TIMEOUT_MS: "2000",
        RELAY_BACKOFF_BASE_MS: "200",
        RELAY_BACKOFF_MAX_MS: "1000",
        // Small on purpose: an outage must not spend attempts, however many polls it lasts.
        RELAY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      }),
      { logger: log.logger },
    );
  }, 720_000);

  afterAll(async () => {
    await relay?.close();
    await sql?.end();
    await db?.drop();
    await broker?.remove();
  }, 120_000);

  it("keeps the backlog READY with its attempts through an outage of many polls, and drains all of it, losing nothing, once the broker is back", async () => {
    const before = anOrderEvent();
    await insertOutbox(sql, [before]);
    await waitFor(async () => (await countByStatus(sql, "PUBLISHED")) === 1, {
      what: "publishing while the broker is up",
      timeoutMs: 30_000,
    });

    await broker.stop();
    const during = Array.from({ length: 20 }, () => anOrderEvent());
    for (const event of during) await insertOutbox(sql, [event]);
    await waitFor(async () => (await metricValue(relay.url, "outbox_ready_backlog")) === 20, {
      what: "a backlog of 20",
    });
    // The connected producer finds out on its first send: no attempt spent, the publisher steps back.
    await waitFor(async () => (await metricValue(relay.url, "outbox_publish_deferred_total")) > 0, {
      what: "a send deferred",
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await fetch(`${relay.url}/health/ready`)).status === 503, {
      what: "readiness reporting Kafka down",
      timeoutMs: 30_000,
    });
    const ready = (await (await fetch(`${relay.url}/health/ready`)).json()) as {
      checks: Record<string, { status: string }>;
    };
    expect(ready.checks).toMatchObject({ database: { status: "ok" }, kafka: { status: "fail" } });
    // After the failed send the relay claims nothing until a reconnect succeeds. Let it try and
    // fail more often than RELAY_MAX_ATTEMPTS: had each try been a send that counted an
    // attempt, every row would be FAILED by now.
    const failedReconnects = () =>
      log.lines.filter((l) => l.msg === "kafka unreachable; outbox rows wait").length;
    const failedBefore = failedReconnects();
    await waitFor(() => failedReconnects() >= failedBefore + MAX_ATTEMPTS + 1, {
      what: `${MAX_ATTEMPTS + 1} failed reconnects during the outage`,
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    expect(await countByStatus(sql, "FAILED")).toBe(0);
    expect(await metricValue(relay.url, "outbox_publish_failures_total")).toBe(0);
    const waiting = (await outboxRows(sql)).filter((r) =>
      during.some((e) => e.eventId === r.event_id),
    );
    expect(waiting.map((r) => [r.status, r.attempts])).toEqual(during.map(() => ["READY", 0]));

    await broker.start();
    await waitFor(async () => (await countByStatus(sql, "PUBLISHED")) === 21, {
      what: "the backlog drained",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(await metricValue(relay.url, "outbox_ready_backlog")).toBe(0);
    expect(await countByStatus(sql, "FAILED")).toBe(0);
    expect((await outboxRows(sql)).every((r) => r.attempts === 0 && r.last_error === null)).toBe(
      true,
    );
    expect((await fetch(`${relay.url}/health/ready`)).status).toBe(200);

    const reader = await collectTopic(topic, { brokers: [broker.address] });
    try {
      await waitFor(() => [before, ...during].every((e) => reader.eventIds().includes(e.eventId)), {
        what: "all 21 events on the topic",
        timeoutMs: 30_000,
      });
    } finally {
      await reader.stop();
    }
  }, 600_000);
});
