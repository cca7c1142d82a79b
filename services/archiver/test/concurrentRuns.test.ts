import { runArchive, type ArchiveOutcome } from "../src/main";
import { anOrder, insertOrders, manyOrders } from "./factories";
import {
  capturedLogger,
  configFor,
  count,
  archiveDatabaseForFile,
  emptyTables,
  itemRows,
  orderRows,
} from "./support";

const ELIGIBLE = 5_000;
const db = archiveDatabaseForFile({ emptyEachTest: false });

/** 5,000 eligible orders with items, plus a few that must stay; returns the rows as they were. */
async function seed() {
  await emptyTables(db.pool);
  const staying = [
    anOrder({ status: "CREATED", updatedDaysAgo: 90 }),
    anOrder({ status: "COMPLETED", updatedDaysAgo: 2 }),
  ];
  await insertOrders(db.pool, [
    ...manyOrders(ELIGIBLE, { status: "COMPLETED", updatedDaysAgo: 60, items: 1 }),
    ...staying,
  ]);
  const stayingIds = new Set(staying.map((o) => o.order.id));
  const orders = await orderRows(db.pool, "orders");
  const items = await itemRows(db.pool, "order_items");
  return {
    movingOrders: orders.filter((o) => !stayingIds.has(o.id as string)),
    movingItems: items.filter((i) => !stayingIds.has(i.order_id as string)),
    staying: staying.length,
  };
}

/** Every eligible order and item is in the archive exactly as it was, and gone from the live tables. */
async function expectEachMovedOnce(
  before: Awaited<ReturnType<typeof seed>>,
  outcomes: ArchiveOutcome[],
) {
  expect(outcomes.reduce((n, o) => n + o.archived, 0)).toBe(ELIGIBLE);
  expect(outcomes.reduce((n, o) => n + o.items, 0)).toBe(before.movingItems.length);
  expect(await orderRows(db.pool, "orders_archive")).toEqual(before.movingOrders);
  expect(await itemRows(db.pool, "order_items_archive")).toEqual(before.movingItems);
  expect(await count(db.pool, "orders")).toBe(before.staying);
}

describe("two archiver runs at once", () => {
  it("under the run lock, one run moves each of 5,000 orders once and the other exits saying another run holds the lock", async () => {
    const before = await seed();
    const config = configFor(db.url, { ARCHIVE_LOCK_WAIT_SECONDS: "0" });

    const outcomes = await Promise.all(
      [1, 2].map(() => runArchive(config, { logger: capturedLogger().logger })),
    );

    expect(outcomes.map((o) => o.kind).sort()).toEqual(["COMPLETED", "LOCK_HELD"]);
    expect(outcomes.find((o) => o.kind === "LOCK_HELD")).toMatchObject({ archived: 0, chunks: 0 });
    await expectEachMovedOnce(before, outcomes);
  });

  it("with a lock wait, the second run waits for the first, then finds nothing left to move", async () => {
    const before = await seed();
    const config = configFor(db.url, { ARCHIVE_LOCK_WAIT_SECONDS: "60" });

    const outcomes = await Promise.all(
      [1, 2].map(() => runArchive(config, { logger: capturedLogger().logger })),
    );

    expect(outcomes.map((o) => o.kind)).toEqual(["COMPLETED", "COMPLETED"]);
    expect(outcomes.map((o) => o.archived).sort((a, b) => a - b)).toEqual([0, ELIGIBLE]);
    await expectEachMovedOnce(before, outcomes);
  });

  it("without the run lock, row locks alone still move each of 5,000 orders exactly once", async () => {
    const before = await seed();
    const config = configFor(db.url, { ARCHIVE_CHUNK_SIZE: "100" });

    const outcomes = await Promise.all(
      ["lock-a", "lock-b"].map((name) =>
        runArchive(config, { logger: capturedLogger().logger, runLockName: `${db.name}:${name}` }),
      ),
    );

    expect(outcomes.map((o) => o.kind)).toEqual(["COMPLETED", "COMPLETED"]);
    await expectEachMovedOnce(before, outcomes);
  });
});
