import { waitFor } from "@app/shared/testing";
import { archiveRunLockName } from "../src/main";
import { anOrder, insertOrders, manyOrders } from "./factories";
import {
  count,
  archiveDatabaseForFile,
  itemRows,
  jsonLines,
  openTransactions,
  orderRows,
  runArchiverProcess,
  spawnArchiver,
  transactionWaitingForALock,
  type ChildRun,
} from "./support";

const db = archiveDatabaseForFile({ emptyEachTest: true });

function stdoutLines(run: ChildRun): string[] {
  return run.stdout.split("\n").filter(Boolean);
}

function summaryOf(run: ChildRun): Record<string, unknown> {
  return JSON.parse(stdoutLines(run).at(-1)!) as Record<string, unknown>;
}

const isChunkLine = (line: Record<string, unknown>) => line.msg === "chunk archived";

describe("the archiver command", () => {
  it("archives, logs JSON lines on stderr and prints only the one-line JSON summary on stdout, exiting 0", async () => {
    await insertOrders(db.pool, [
      ...manyOrders(5, { status: "CANCELLED", updatedDaysAgo: 31 }),
      anOrder({ status: "CREATED", updatedDaysAgo: 90 }),
    ]);

    const run = await runArchiverProcess([], { DATABASE_URL: db.url, ARCHIVE_CHUNK_SIZE: "2" });

    expect(run.code).toBe(0);
    expect(stdoutLines(run)).toHaveLength(1);
    expect(summaryOf(run)).toEqual({
      archived: 5,
      chunks: 3,
      durationMs: expect.any(Number),
      dryRun: false,
      outcome: "COMPLETED",
      items: 10,
    });
    const logs = jsonLines(run.stderr);
    expect(logs.filter(isChunkLine).map((l) => l.archived)).toEqual([2, 2, 1]);
    expect(logs.every((l) => l.service === "archiver")).toBe(true);
    expect(await count(db.pool, "orders_archive")).toBe(5);
    expect(await count(db.pool, "orders")).toBe(1);
  });

  it("with --dry-run prints what would move and changes nothing", async () => {
    await insertOrders(db.pool, [
      ...manyOrders(3, { status: "COMPLETED", updatedDaysAgo: 40, items: 2 }),
      anOrder({ status: "COMPLETED", updatedDaysAgo: 3 }),
    ]);
    const ordersBefore = await orderRows(db.pool, "orders");
    const itemsBefore = await itemRows(db.pool, "order_items");

    const run = await runArchiverProcess(["--dry-run"], {
      DATABASE_URL: db.url,
      ARCHIVE_CHUNK_SIZE: "2",
    });

    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({
      archived: 3,
      items: 6,
      chunks: 2,
      dryRun: true,
      outcome: "DRY_RUN",
    });
    expect(await orderRows(db.pool, "orders")).toEqual(ordersBefore);
    expect(await itemRows(db.pool, "order_items")).toEqual(itemsBefore);
    expect(await count(db.pool, "orders_archive")).toBe(0);
  });

  it("exits 0 saying another run holds the lock, moving nothing, while another run holds it", async () => {
    await insertOrders(db.pool, manyOrders(2, { status: "COMPLETED", updatedDaysAgo: 40 }));
    const holder = await db.pool.getConnection();
    try {
      await holder.query("SELECT GET_LOCK(?, 0)", [archiveRunLockName(db.name)]);

      const run = await runArchiverProcess([], {
        DATABASE_URL: db.url,
        ARCHIVE_LOCK_WAIT_SECONDS: "1",
      });

      expect(run.code).toBe(0);
      expect(summaryOf(run)).toMatchObject({ archived: 0, chunks: 0, outcome: "LOCK_HELD" });
      expect(
        jsonLines(run.stderr).some(
          (l) => l.msg === "another archiver run holds the lock; nothing to do",
        ),
      ).toBe(true);
      expect(await count(db.pool, "orders")).toBe(2);
    } finally {
      await holder.query("SELECT RELEASE_LOCK(?)", [archiveRunLockName(db.name)]);
      await holder.release();
    }
  });

  it("finishes the work with nothing lost or doubled when rerun after being killed (SIGKILL) inside a chunk transaction", async () => {
    const total = 1_000;
    const chunkSize = 20;
    await insertOrders(
      db.pool,
      manyOrders(total, { status: "COMPLETED", updatedDaysAgo: 40, items: 2 }),
    );
    const ordersBefore = await orderRows(db.pool, "orders");
    const itemsBefore = await itemRows(db.pool, "order_items");
    const env = {
      DATABASE_URL: db.url,
      ARCHIVE_CHUNK_SIZE: String(chunkSize),
      ARCHIVE_PAUSE_MS: "0",
    };
    // The items of an order of the 4th chunk, locked by this test: that chunk's transaction copies
    // its orders (and items) to the archive, then waits on these rows to delete them, still open.
    const held = ordersBefore[3 * chunkSize + 7]!.id as string;
    const holder = await db.pool.getConnection();
    let doomed: ReturnType<typeof spawnArchiver> | undefined;
    try {
      await holder.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      await holder.beginTransaction();
      await holder.query("SELECT id FROM order_items WHERE order_id = ? FOR UPDATE", [held]);

      doomed = spawnArchiver([], env);
      const inFlight = await waitFor(() => transactionWaitingForALock(db.pool, db.name), {
        what: "the 4th chunk's transaction to wait for the held rows",
        // Process start and three chunks first: slow on a loaded machine, never a hang.
        timeoutMs: 60_000,
      });
      // Killed with the chunk's copies written and not committed.
      expect(inFlight.rowsModified).toBeGreaterThanOrEqual(chunkSize);
      doomed.kill("SIGKILL");
      const killed = await doomed.done;
      expect(killed.signal).toBe("SIGKILL");
      expect(jsonLines(killed.stderr).filter(isChunkLine)).toHaveLength(3);
    } finally {
      doomed?.kill("SIGKILL");
      await holder.rollback();
      await holder.release();
    }
    // The server rolls the dead connection's transaction back once it gets the rows it waited for.
    await waitFor(async () => (await openTransactions(db.pool, db.name)) === 0, {
      what: "the killed run's transaction to be rolled back",
    });

    // The three committed chunks stay; the one in flight left nothing behind, in either table.
    expect(await count(db.pool, "orders_archive")).toBe(3 * chunkSize);
    expect(await count(db.pool, "orders")).toBe(total - 3 * chunkSize);
    expect(
      (await count(db.pool, "order_items_archive")) + (await count(db.pool, "order_items")),
    ).toBe(itemsBefore.length);

    const rerun = await runArchiverProcess([], env);

    expect(rerun.code).toBe(0);
    expect(summaryOf(rerun)).toMatchObject({
      outcome: "COMPLETED",
      archived: total - 3 * chunkSize,
    });
    expect(await orderRows(db.pool, "orders_archive")).toEqual(ordersBefore);
    expect(await itemRows(db.pool, "order_items_archive")).toEqual(itemsBefore);
    expect(await count(db.pool, "orders")).toBe(0);
    expect(await count(db.pool, "order_items")).toBe(0);
  }, 180_000);

  it("on SIGTERM finishes the chunk in flight, stops, and exits non-zero with an INTERRUPTED summary", async () => {
    const total = 1_000;
    await insertOrders(
      db.pool,
      manyOrders(total, { status: "CANCELLED", updatedDaysAgo: 40, items: 1 }),
    );

    const child = spawnArchiver([], {
      DATABASE_URL: db.url,
      ARCHIVE_CHUNK_SIZE: "20",
      ARCHIVE_PAUSE_MS: "100",
    });
    await child.waitForLogs(isChunkLine, 2);
    child.kill("SIGTERM");
    const run = await child.done;

    expect(run.code).toBe(1);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ outcome: "INTERRUPTED", dryRun: false });
    expect(summary.archived).toBe(await count(db.pool, "orders_archive"));
    expect(summary.archived).toBe(jsonLines(run.stderr).filter(isChunkLine).length * 20);
    expect((summary.archived as number) + (await count(db.pool, "orders"))).toBe(total);
  });

  it("exits 1 with a FAILED summary counting what it had already committed when a chunk fails", async () => {
    const fine = manyOrders(4, { status: "COMPLETED", updatedDaysAgo: 40 }).map((o) => ({
      ...o,
      order: { ...o.order, id: `0${o.order.id.slice(1)}` },
    }));
    fine.forEach((o) => o.items.forEach((i) => (i.order_id = o.order.id)));
    const broken = anOrder({
      id: "ffffffff-0000-4000-8000-000000000000",
      status: "COMPLETED",
      updatedDaysAgo: 40,
    });
    await insertOrders(db.pool, [...fine, broken]);
    await db.pool.query(
      "INSERT INTO orders_archive (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) SELECT id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at FROM orders WHERE id = ?",
      [broken.order.id],
    );

    const run = await runArchiverProcess([], { DATABASE_URL: db.url, ARCHIVE_CHUNK_SIZE: "2" });

    expect(run.code).toBe(1);
    expect(summaryOf(run)).toMatchObject({
      outcome: "FAILED",
      archived: 4,
      chunks: 2,
      error: expect.stringContaining("Duplicate entry"),
    });
    expect((await orderRows(db.pool, "orders")).map((o) => o.id)).toEqual([broken.order.id]);
  });

  it("exits 78 naming the variable when the configuration is invalid", async () => {
    const run = await runArchiverProcess([], { DATABASE_URL: db.url, ARCHIVE_CHUNK_SIZE: "many" });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain("ARCHIVE_CHUNK_SIZE");
    expect(run.stdout).toBe("");
  });

  it("exits 64 with the usage on an unknown argument", async () => {
    const run = await runArchiverProcess(["--force"], { DATABASE_URL: db.url });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("usage: archiver [--dry-run]");
  });
});
