import { createLogger, createPool, type Pool } from "@app/shared";
import { MariaDbArchiveStore } from "../src/infrastructure/mariadbArchiveStore";
import { archiveRunLockName } from "../src/infrastructure/namedRunLock";
import { anOrder, insertOrders } from "./factories";
import { count, createArchiveDatabase, type ArchiveDatabase } from "./support";

let db: ArchiveDatabase;
let single: Pool;

beforeAll(async () => {
  db = await createArchiveDatabase();
  // One connection: whatever the store leaves on it, the next user of the pool gets.
  single = createPool(db.url, { connectionLimit: 1 });
});
afterAll(async () => {
  await single.end();
  await db.close();
});

async function sessionLockWaitTimeout(pool: Pool): Promise<number> {
  const [row] = await pool.query("SELECT @@SESSION.innodb_lock_wait_timeout AS seconds");
  return Number(row.seconds);
}

describe("the archive store on a pooled connection", () => {
  it("moves a chunk and hands the connection back with its innodb_lock_wait_timeout as it was", async () => {
    await single.query("SET SESSION innodb_lock_wait_timeout = 37");
    await insertOrders(db.pool, [anOrder({ status: "COMPLETED", updatedDaysAgo: 90, items: 1 })]);
    const store = new MariaDbArchiveStore(
      single,
      createLogger({ service: "test", level: "error" }),
    );

    const result = await store.moveChunk({
      cutoff: await store.cutoff(30),
      afterId: "",
      limit: 10,
    });

    expect(result).toMatchObject({ archived: 1 });
    expect(await count(db.pool, "orders_archive")).toBe(1);
    expect(await sessionLockWaitTimeout(single)).toBe(37);
  });

  it("names its run lock within MySQL's 64 characters, however long the database name", () => {
    expect(archiveRunLockName("orders")).toBe("archiver:orders");
    const long = archiveRunLockName("d".repeat(64));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(archiveRunLockName(`${"d".repeat(63)}e`));
  });
});
