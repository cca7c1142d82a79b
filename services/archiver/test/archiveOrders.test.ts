import http from "node:http";
import type { AddressInfo } from "node:net";
import { waitFor } from "@app/shared/testing";
import { runArchive, ArchiveRunError } from "../src/main";
import { anOrder, insertOrders, type OrderWithItems } from "./factories";
import {
  capturedLogger,
  configFor,
  count,
  archiveDatabaseForFile,
  itemRows,
  orderRows,
  someoneWaitsForALock,
} from "./support";

const db = archiveDatabaseForFile({ emptyEachTest: true });

/** Eligible and ineligible orders side by side, at and around the 30-day boundary. */
function mixedOrders() {
  const eligible = [
    anOrder({ status: "COMPLETED", updatedDaysAgo: 90, items: 3 }),
    anOrder({ status: "COMPLETED", updatedDaysAgo: 31, items: 1 }),
    anOrder({ status: "CANCELLED", updatedDaysAgo: 40, items: 2 }),
    anOrder({ status: "CANCELLED", updatedDaysAgo: 400, items: 0 }),
    anOrder({ status: "COMPLETED", updatedDaysAgo: 30.01, items: 2 }),
  ];
  const ineligible = [
    anOrder({ status: "CREATED", updatedDaysAgo: 200, items: 2 }),
    anOrder({ status: "COMPLETED", updatedDaysAgo: 29.9, items: 2 }),
    anOrder({ status: "CANCELLED", updatedDaysAgo: 1, items: 1 }),
    anOrder({ status: "CREATED", updatedDaysAgo: 0, items: 1 }),
  ];
  return { eligible, ineligible };
}

const ids = (orders: OrderWithItems[]) => new Set(orders.map((o) => o.order.id));

describe("archiving orders in chunks", () => {
  it("moves only COMPLETED and CANCELLED orders older than ARCHIVE_AFTER_DAYS, with their items, field for field", async () => {
    const { eligible, ineligible } = mixedOrders();
    await insertOrders(db.pool, [...eligible, ...ineligible]);
    const ordersBefore = await orderRows(db.pool, "orders");
    const itemsBefore = await itemRows(db.pool, "order_items");
    const eligibleIds = ids(eligible);

    const outcome = await runArchive(configFor(db.url, { ARCHIVE_CHUNK_SIZE: "2" }), {
      logger: capturedLogger().logger,
    });

    expect(outcome).toMatchObject({ kind: "COMPLETED", archived: eligible.length, dryRun: false });
    expect(outcome.items).toBe(eligible.reduce((n, o) => n + o.items.length, 0));
    expect(await orderRows(db.pool, "orders_archive")).toEqual(
      ordersBefore.filter((o) => eligibleIds.has(o.id as string)),
    );
    expect(await itemRows(db.pool, "order_items_archive")).toEqual(
      itemsBefore.filter((i) => eligibleIds.has(i.order_id as string)),
    );
    expect(await orderRows(db.pool, "orders")).toEqual(
      ordersBefore.filter((o) => !eligibleIds.has(o.id as string)),
    );
    expect(await itemRows(db.pool, "order_items")).toEqual(
      itemsBefore.filter((i) => !eligibleIds.has(i.order_id as string)),
    );
  });

  it("moves nothing on a rerun and leaves the archive as it was", async () => {
    const { eligible, ineligible } = mixedOrders();
    await insertOrders(db.pool, [...eligible, ...ineligible]);
    const config = configFor(db.url, { ARCHIVE_CHUNK_SIZE: "2" });
    await runArchive(config, { logger: capturedLogger().logger });
    const archiveAfterFirst = await orderRows(db.pool, "orders_archive");
    const itemsAfterFirst = await itemRows(db.pool, "order_items_archive");

    const rerun = await runArchive(config, { logger: capturedLogger().logger });

    expect(rerun).toMatchObject({ kind: "COMPLETED", archived: 0, items: 0, chunks: 0 });
    expect(await orderRows(db.pool, "orders_archive")).toEqual(archiveAfterFirst);
    expect(await itemRows(db.pool, "order_items_archive")).toEqual(itemsAfterFirst);
    expect(await count(db.pool, "orders")).toBe(ineligible.length);
  });

  it("honours a longer ARCHIVE_AFTER_DAYS", async () => {
    const old = anOrder({ status: "COMPLETED", updatedDaysAgo: 100 });
    const middle = anOrder({ status: "CANCELLED", updatedDaysAgo: 50 });
    await insertOrders(db.pool, [old, middle]);
    const outcome = await runArchive(configFor(db.url, { ARCHIVE_AFTER_DAYS: "60" }), {
      logger: capturedLogger().logger,
    });
    expect(outcome.archived).toBe(1);
    expect((await orderRows(db.pool, "orders_archive")).map((o) => o.id)).toEqual([old.order.id]);
  });

  it("counts what would move on a dry run and changes nothing", async () => {
    const { eligible, ineligible } = mixedOrders();
    await insertOrders(db.pool, [...eligible, ...ineligible]);
    const ordersBefore = await orderRows(db.pool, "orders");
    const itemsBefore = await itemRows(db.pool, "order_items");

    const outcome = await runArchive(configFor(db.url, { ARCHIVE_CHUNK_SIZE: "2" }), {
      dryRun: true,
      logger: capturedLogger().logger,
    });

    expect(outcome).toMatchObject({
      kind: "DRY_RUN",
      dryRun: true,
      archived: eligible.length,
      items: eligible.reduce((n, o) => n + o.items.length, 0),
      chunks: Math.ceil(eligible.length / 2),
    });
    expect(await orderRows(db.pool, "orders")).toEqual(ordersBefore);
    expect(await itemRows(db.pool, "order_items")).toEqual(itemsBefore);
    expect(await count(db.pool, "orders_archive")).toBe(0);
    expect(await count(db.pool, "order_items_archive")).toBe(0);
  });

  it("logs every chunk with its counts and how long it held its locks", async () => {
    const orders = Array.from({ length: 7 }, () =>
      anOrder({ status: "CANCELLED", updatedDaysAgo: 45 }),
    );
    await insertOrders(db.pool, orders);
    const captured = capturedLogger();

    const outcome = await runArchive(configFor(db.url, { ARCHIVE_CHUNK_SIZE: "3" }), {
      logger: captured.logger,
    });

    const chunkLines = captured.lines().filter((l) => l.msg === "chunk archived");
    expect(chunkLines).toHaveLength(outcome.chunks);
    expect(chunkLines.map((l) => l.archived)).toEqual([3, 3, 1]);
    for (const line of chunkLines) expect(typeof line.lockHeldMs).toBe("number");
  });

  it("waits for an order another transaction holds and moves it once that transaction ends", async () => {
    const held = anOrder({ status: "COMPLETED", updatedDaysAgo: 60 });
    const others = [
      anOrder({ status: "COMPLETED", updatedDaysAgo: 60 }),
      anOrder({ status: "CANCELLED", updatedDaysAgo: 60 }),
    ];
    await insertOrders(db.pool, [held, ...others]);
    const conn = await db.pool.getConnection();
    await conn.beginTransaction();
    await conn.query("SELECT id FROM orders WHERE id = ? FOR UPDATE", [held.order.id]);
    const captured = capturedLogger();

    const run = runArchive(configFor(db.url), { logger: captured.logger });
    // The run is blocked on the held row until the other transaction ends.
    await waitFor(() => someoneWaitsForALock(db.pool, db.name));
    await conn.rollback();
    await conn.release();

    expect(await run).toMatchObject({ kind: "COMPLETED", archived: 3 });
    expect(await count(db.pool, "orders")).toBe(0);
  });

  it("leaves an order that changed after it was picked as a candidate", async () => {
    const changing = anOrder({ status: "COMPLETED", updatedDaysAgo: 60 });
    await insertOrders(db.pool, [changing, anOrder({ status: "COMPLETED", updatedDaysAgo: 60 })]);
    const conn = await db.pool.getConnection();
    await conn.beginTransaction();
    await conn.query("UPDATE orders SET updated_at = NOW(3) WHERE id = ?", [changing.order.id]);

    const run = runArchive(configFor(db.url), { logger: capturedLogger().logger });
    await waitFor(() => someoneWaitsForALock(db.pool, db.name));
    await conn.commit();
    await conn.release();

    expect(await run).toMatchObject({ kind: "COMPLETED", archived: 1 });
    expect((await orderRows(db.pool, "orders")).map((o) => o.id)).toEqual([changing.order.id]);
  });

  it("fails and rolls the chunk back when an order is already in the archive, deleting nothing", async () => {
    const duplicate = anOrder({ status: "COMPLETED", updatedDaysAgo: 60 });
    await insertOrders(db.pool, [duplicate]);
    await db.pool.query(
      "INSERT INTO orders_archive (id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at) SELECT id, user_id, status, total_amount, currency, reservation_id, created_at, updated_at FROM orders",
    );
    const ordersBefore = await orderRows(db.pool, "orders");
    const itemsBefore = await itemRows(db.pool, "order_items");

    const run = runArchive(configFor(db.url), { logger: capturedLogger().logger });

    await expect(run).rejects.toBeInstanceOf(ArchiveRunError);
    expect(await orderRows(db.pool, "orders")).toEqual(ordersBefore);
    expect(await itemRows(db.pool, "order_items")).toEqual(itemsBefore);
    expect(await count(db.pool, "order_items_archive")).toBe(0);
  });
});

describe("metrics", () => {
  let gateway: http.Server;
  let pushes: { method: string; url: string; body: string }[];
  let gatewayUrl: string;

  beforeAll(async () => {
    pushes = [];
    gateway = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        pushes.push({ method: req.method ?? "", url: req.url ?? "", body });
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => gateway.close(() => resolve()));
  });
  beforeEach(() => {
    pushes.length = 0;
  });

  it("pushes the run's counts and chunk lock times to the Pushgateway when PUSHGATEWAY_URL is set", async () => {
    const orders = Array.from({ length: 4 }, () =>
      anOrder({ status: "COMPLETED", updatedDaysAgo: 45, items: 2 }),
    );
    await insertOrders(db.pool, orders);

    const outcome = await runArchive(
      configFor(db.url, { PUSHGATEWAY_URL: gatewayUrl, ARCHIVE_CHUNK_SIZE: "3" }),
      {
        logger: capturedLogger().logger,
      },
    );

    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ method: "PUT", url: "/metrics/job/archiver" });
    const body = pushes[0]!.body;
    expect(body).toMatch(new RegExp(`^archiver_orders_archived_total ${outcome.archived}$`, "m"));
    expect(body).toMatch(new RegExp(`^archiver_items_archived_total ${outcome.items}$`, "m"));
    expect(body).toMatch(
      new RegExp(`^archiver_chunk_lock_held_seconds_count ${outcome.chunks}$`, "m"),
    );
    expect(body).toMatch(
      /^archiver_last_run_timestamp_seconds\{[^}]*outcome="COMPLETED"[^}]*\} \d+/m,
    );
  });

  it("pushes nothing when PUSHGATEWAY_URL is not set", async () => {
    await insertOrders(db.pool, [anOrder({ status: "COMPLETED", updatedDaysAgo: 45 })]);
    await runArchive(configFor(db.url), { logger: capturedLogger().logger });
    expect(pushes).toHaveLength(0);
  });

  it("still completes the run, with a warning, when the Pushgateway cannot be reached", async () => {
    await insertOrders(db.pool, [anOrder({ status: "COMPLETED", updatedDaysAgo: 45 })]);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const captured = capturedLogger();

    const outcome = await runArchive(configFor(db.url, { PUSHGATEWAY_URL: deadUrl }), {
      logger: captured.logger,
    });

    expect(outcome).toMatchObject({ kind: "COMPLETED", archived: 1 });
    expect(
      captured.lines().some((l) => l.msg === "metrics push failed" && l.level === "warn"),
    ).toBe(true);
  });
});
