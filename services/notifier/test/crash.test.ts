import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { waitFor } from "@app/shared/testing";
import { Webhook } from "standardwebhooks";
import { loadNotifierConfig, startNotifier, type RunningNotifier } from "../src/main";
import {
  anOrderEvent,
  deliveriesOf,
  mailsOf,
  metricValue,
  notificationCount,
  publish,
  settled,
  startTestNotifier,
  type TestNotifier,
} from "./support";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver";

let t: TestNotifier;
let receiver: WebhookReceiver;
const restarted: RunningNotifier[] = [];

beforeAll(async () => {
  // Only the database, topic, mail sink and producer of this one: the notifiers under test run
  // separately (its own consumer and delivery worker are off).
  t = await startTestNotifier({ CONSUMER_ENABLED: "false", DELIVERY_WORKER_ENABLED: "false" });
  await t.kafka.ensureTopics([
    { topic: t.topic, partitions: 3 },
    { topic: `${t.topic}.dlq`, partitions: 1 },
  ]);
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  for (const n of restarted) await n.close();
  await t.close();
  await receiver.close();
});

/**
 * Runs a fixture notifier, does `meanwhile` once it listens, and SIGKILLs it as soon as its output
 * says it reached the crash point (`reached`).
 */
async function killNotifierAt(
  fixture: string,
  env: Record<string, string>,
  reached: (lines: string[]) => boolean,
  meanwhile: () => Promise<void> = async () => undefined,
): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "fixtures", fixture)],
    { env: { ...process.env, ...t.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const seen: string[] = [];
  try {
    const lines = createInterface({ input: child.stdout! });
    const atCrashPoint = new Promise<void>((resolve, reject) => {
      lines.on("line", (line) => {
        seen.push(line);
        if (reached(seen)) resolve();
      });
      child.once("exit", (code) => reject(new Error(`notifier exited early with ${code}`)));
    });
    await waitFor(() => seen.some((l) => l.startsWith("LISTENING ")), {
      what: "the notifier listening",
      timeoutMs: 60_000,
    });
    await meanwhile();
    // Bounded, so a notifier that never gets there is still killed (finally) and the test fails.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      atCrashPoint,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`crash point not reached; output: ${seen.join(" | ")}`)),
          90_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return seen;
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

async function anEndpoint(url: string): Promise<{ id: string; secret: string }> {
  const response = await fetch(`${t.url}/api/v1/notifications/webhook-endpoints`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${t.issuer.tokenFor({ role: "ADMIN" })}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ url, eventTypes: ["ORDER_CREATED"] }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; secret: string };
}

const startAgain = async (env: Record<string, string>) => {
  const notifier = await startNotifier(loadNotifierConfig({ ...t.env, ...env }));
  restarted.push(notifier);
  return notifier;
};

describe("a notifier killed between the database write and the offset commit, before any send", () => {
  it("gets the message again after a restart, keeps one notification and sends its email once", async () => {
    const event = anOrderEvent();
    await publish(t, event);
    const lines = await killNotifierAt(
      "notifierStoppingAfterWrite.ts",
      // No delivery worker in the killed one: it dies with the deliveries written and unsent.
      { CONSUMER_ENABLED: "true", DELIVERY_WORKER_ENABLED: "false" },
      (seen) => seen.some((l) => l.startsWith("WRITTEN ")),
    );
    expect(lines.find((l) => l.startsWith("WRITTEN "))).toBe(`WRITTEN ${event.eventId}`);
    expect(await notificationCount(t, event.eventId)).toBe(1);
    expect(await deliveriesOf(t, event.eventId)).toEqual([
      expect.objectContaining({ channel: "EMAIL", status: "PENDING", attempts: 0 }),
    ]);
    expect(mailsOf(t, event.eventId)).toHaveLength(0);

    // Same group: the uncommitted offset hands the message to the new instance once the killed
    // member's session (30 s in the shared consumer) has expired.
    const notifier = await startAgain({
      CONSUMER_ENABLED: "true",
      DELIVERY_WORKER_ENABLED: "true",
    });
    await waitFor(
      async () => (await metricValue(notifier.url, "notifier_duplicate_events_total")) === 1,
      {
        what: "the redelivered event seen as a duplicate",
        timeoutMs: 80_000,
        intervalMs: 500,
      },
    );
    expect(await notificationCount(t, event.eventId)).toBe(1);
    expect(await settled(t, event.eventId)).toEqual([
      expect.objectContaining({ channel: "EMAIL", status: "SENT" }),
    ]);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
    await notifier.close();
  }, 120_000);
});

describe("a notifier killed between a send and its sent-mark", () => {
  it("resends that email and webhook with the same Message-ID and webhook-id after its lease, and nothing else twice", async () => {
    const endpoint = await anEndpoint(receiver.url("/ok/crash"));
    const crashEnv = {
      CONSUMER_ENABLED: "true",
      // A group of its own: no rebalance waits on the first test's killed member.
      KAFKA_GROUP_ID: `${t.groupId}_send_mark`,
      DELIVERY_WORKER_ENABLED: "true",
      // The claim of the killed worker runs out soon after the kill.
      DELIVERY_LEASE_SECONDS: "6",
      SMTP_TIMEOUT_MS: "3000",
      WEBHOOK_TIMEOUT_MS: "3000",
    };
    const before = anOrderEvent();
    const event = anOrderEvent();
    await killNotifierAt(
      "notifierStoppingAfterSend.ts",
      { ...crashEnv, STOP_AFTER_SENDING_EVENT: event.eventId },
      (seen) =>
        seen.includes(`SENT EMAIL ${event.eventId}`) &&
        seen.includes(`SENT WEBHOOK ${event.eventId}`),
      async () => {
        // One event delivered and marked before the one the notifier dies in.
        await publish(t, before);
        await settled(t, before.eventId);
        await publish(t, event);
      },
    );
    // Sent once each, never marked.
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
    expect(
      receiver.callsTo("/ok/crash").filter((c) => c.headers["webhook-id"] === event.eventId),
    ).toHaveLength(1);
    expect((await deliveriesOf(t, event.eventId)).map((d) => d.status)).toEqual([
      "PENDING",
      "PENDING",
    ]);

    // Only the delivery worker: the records were consumed already.
    await startAgain({ ...crashEnv, CONSUMER_ENABLED: "false" });
    await settled(t, event.eventId);

    const mails = mailsOf(t, event.eventId);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.messageId).toBe(mails[0]!.messageId);
    expect(mails[1]!.text).toBe(mails[0]!.text);
    const calls = receiver
      .callsTo("/ok/crash")
      .filter((c) => c.headers["webhook-id"] === event.eventId);
    expect(calls).toHaveLength(2);
    for (const call of calls)
      expect(() => new Webhook(endpoint.secret).verify(call.body, call.headers)).not.toThrow();
    expect(JSON.parse(calls[1]!.body)).toEqual(JSON.parse(calls[0]!.body));

    // Nothing else twice: the event marked before the kill was not sent again.
    expect(mailsOf(t, before.eventId)).toHaveLength(1);
    expect(
      receiver.callsTo("/ok/crash").filter((c) => c.headers["webhook-id"] === before.eventId),
    ).toHaveLength(1);
    expect((await deliveriesOf(t, event.eventId)).map((d) => d.status)).toEqual(["SENT", "SENT"]);
  }, 180_000);
});
