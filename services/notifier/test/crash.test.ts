import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { waitFor } from "@app/shared/testing";
import { loadNotifierConfig, startNotifier, type RunningNotifier } from "../src/main";
import {
  anOrderEvent,
  metricValue,
  notificationCount,
  publish,
  startTestNotifier,
  type TestNotifier,
} from "./support";

let t: TestNotifier;
let restarted: RunningNotifier | undefined;

beforeAll(async () => {
  // Only the database, topic and producer of this one: the notifiers under test run separately.
  t = await startTestNotifier({ CONSUMER_ENABLED: "false" });
  await t.kafka.ensureTopics([
    { topic: t.topic, partitions: 3 },
    { topic: `${t.topic}.dlq`, partitions: 1 },
  ]);
});

afterAll(async () => {
  await restarted?.close();
  await t.close();
});

/** Runs the fixture notifier until it has written the notification and not yet committed the offset, then kills it there. */
async function killNotifierBetweenWriteAndCommit(): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "fixtures/notifierStoppingAfterWrite.ts")],
    {
      env: { ...process.env, ...t.env, CONSUMER_ENABLED: "true" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const lines = createInterface({ input: child.stdout! });
    return await new Promise<string>((resolve, reject) => {
      lines.on("line", (line) => {
        if (line.startsWith("WRITTEN ")) resolve(line.slice("WRITTEN ".length));
      });
      child.once("exit", (code) => reject(new Error(`notifier exited early with ${code}`)));
    });
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

describe("a notifier killed between the database write and the offset commit", () => {
  it("gets the message again after a restart and still keeps one notification", async () => {
    const event = anOrderEvent();
    await publish(t, event);
    expect(await killNotifierBetweenWriteAndCommit()).toBe(event.eventId);
    expect(await notificationCount(t, event.eventId)).toBe(1);

    // Same group: the uncommitted offset hands the message to the new instance once the killed
    // member's session (30 s in the shared consumer) has expired.
    restarted = await startNotifier(loadNotifierConfig({ ...t.env, CONSUMER_ENABLED: "true" }));
    await waitFor(
      async () => (await metricValue(restarted!.url, "notifier_duplicate_events_total")) === 1,
      {
        what: "the redelivered event seen as a duplicate",
        timeoutMs: 80_000,
        intervalMs: 500,
      },
    );
    expect(await notificationCount(t, event.eventId)).toBe(1);
    const sentAt: { sent_at: Date | null }[] = await t.sql.query(
      "SELECT sent_at FROM notifications WHERE event_id = ?",
      [event.eventId],
    );
    expect(sentAt[0]!.sent_at).toBeInstanceOf(Date);
  }, 120_000);
});
