import { waitFor } from "@app/shared/testing";
import { type RunningRelay } from "../src/main";
import { anOrderEvent, insertOutbox, relayTestFile } from "./support";

// The outbox gauges describe the table: across replicas exactly one reports them.
const file = relayTestFile("relay_gauges");
const relays = file.relays;

beforeAll(async () => {
  for (let i = 0; i < 2; i++) await file.startRelay({}, { loops: false });
});

/** The value of an unlabelled series, or undefined when the replica does not export it. */
async function series(relay: RunningRelay, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const line = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return line ? Number(line[1]) : undefined;
}

it("reports READY age and FAILED rows from one replica only, and from the other once the first is gone", async () => {
  await insertOutbox(file.sql, [anOrderEvent(), anOrderEvent()], { status: "FAILED" });
  await insertOutbox(file.sql, [anOrderEvent()], {
    availableAt: new Date(Date.now() + 3_600_000),
  });
  const [first, second] = relays as [RunningRelay, RunningRelay];

  await waitFor(async () => (await series(first, "outbox_failed_rows")) === 2, {
    what: "the first replica reporting the FAILED rows",
  });
  expect(await series(first, "outbox_ready_backlog")).toBe(1);
  expect(await series(first, "outbox_oldest_ready_age_seconds")).toBeGreaterThanOrEqual(0);
  expect(await series(second, "outbox_failed_rows")).toBeUndefined();
  expect(await series(second, "outbox_oldest_ready_age_seconds")).toBeUndefined();
  // Still the same reporter on the next scrape.
  expect(await series(first, "outbox_failed_rows")).toBe(2);
  expect(await series(second, "outbox_failed_rows")).toBeUndefined();

  await relays.shift()!.close();
  await waitFor(async () => (await series(second, "outbox_failed_rows")) === 2, {
    what: "the second replica taking over",
  });
  expect(await series(second, "outbox_ready_backlog")).toBe(1);
});
