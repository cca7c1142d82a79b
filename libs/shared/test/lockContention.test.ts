import { randomUUID } from "node:crypto";
import request from "supertest";
import { createPool, inTransaction, isRetryableLockError, type Pool } from "../src";
import { createTestDatabase, waitForLockWaits, type TestDatabase } from "../src/testing";
import { buildTestApp } from "./testApp";

// A transaction that InnoDB rolls back because another held what it needed (a deadlock victim,
// a lock-wait timeout) was answered 500 INTERNAL, as if the request were at fault. It is
// contention: 503 BUSY with Retry-After, which the client may retry.
describe("a request whose transaction loses a lock race", () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase(null, "lockrace");
    pool = createPool(db.url, { connectionLimit: 4 });
    await pool.query("CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)");
    await pool.query("CREATE TABLE ballast (id CHAR(36) PRIMARY KEY)");
    await pool.query("INSERT INTO counters (id, n) VALUES (1, 0), (2, 0)");
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const bump = (conn: { query: Pool["query"] }, id: number) =>
    conn.query("UPDATE counters SET n = n + 1 WHERE id = ?", [id]);

  /** A route that bumps counter 1, then counter 2, in one transaction. */
  const app = (between: () => Promise<void>, session = "") =>
    buildTestApp((a) => {
      a.post("/bump", async (_req, res) => {
        await inTransaction(pool, async (conn) => {
          if (session) await conn.query(session);
          await bump(conn, 1);
          await between();
          await bump(conn, 2);
        });
        res.status(204).end();
      });
    });

  it("answers 503 BUSY with Retry-After when it is the deadlock's victim, and changes nothing", async () => {
    const other = await pool.getConnection();
    try {
      await other.beginTransaction();
      // InnoDB rolls back the transaction that changed less: these rows make the route's the victim.
      await other.batch(
        "INSERT INTO ballast (id) VALUES (?)",
        Array.from({ length: 200 }, () => [randomUUID()]),
      );
      let takeCounterTwo!: () => void;
      const counterTwoTaken = new Promise<void>((resolve) => (takeCounterTwo = resolve));
      const { app: server, lines } = app(async () => {
        await bump(other, 2);
        takeCounterTwo();
      });
      const pending = request(server).post("/bump");
      const answered = pending.then((res) => res);
      await counterTwoTaken;
      await waitForLockWaits(pool, db.name);
      // The route waits for counter 2; asking for counter 1 closes the cycle.
      await bump(other, 1);
      await other.rollback();

      const res = await answered;
      expect(res.status).toBe(503);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.headers["retry-after"]).toBe("1");
      expect(res.body).toMatchObject({ status: 503, code: "BUSY" });
      expect(lines.some((l) => l.msg === "transaction lost a lock race")).toBe(true);
      expect(lines.some((l) => l.msg === "unhandled error")).toBe(false);
    } finally {
      await other.release();
    }
    expect(await pool.query("SELECT id, n FROM counters ORDER BY id")).toEqual([
      { id: 1, n: 0 },
      { id: 2, n: 0 },
    ]);
  });

  it("answers 503 BUSY with Retry-After when its lock wait times out", async () => {
    const other = await pool.getConnection();
    try {
      await other.beginTransaction();
      await bump(other, 2);
      const { app: server } = app(
        async () => undefined,
        "SET SESSION innodb_lock_wait_timeout = 1",
      );
      const res = await request(server).post("/bump");
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("1");
      expect(res.body).toMatchObject({ status: 503, code: "BUSY" });
      await other.rollback();
    } finally {
      await other.release();
    }
    expect(await pool.query("SELECT n FROM counters WHERE id = 1")).toEqual([{ n: 0 }]);
  });
});

describe("isRetryableLockError", () => {
  it("reads the driver's errors and Prisma's wrapping of them", () => {
    expect(isRetryableLockError({ errno: 1213 })).toBe(true);
    expect(isRetryableLockError({ errno: 1205 })).toBe(true);
    // Prisma with the mariadb adapter: a deadlock is P2034, a lock-wait timeout its generic kind.
    expect(
      isRetryableLockError({
        code: "P2034",
        meta: { driverAdapterError: { cause: { kind: "TransactionWriteConflict" } } },
      }),
    ).toBe(true);
    expect(
      isRetryableLockError({
        code: "P2010",
        meta: { driverAdapterError: { cause: { kind: "mysql", code: 1205, state: "HY000" } } },
      }),
    ).toBe(true);
    expect(isRetryableLockError(new Error("wrapped", { cause: { errno: 1213 } }))).toBe(true);
  });

  it("says no to everything else", () => {
    expect(isRetryableLockError({ errno: 1062 })).toBe(false);
    expect(
      isRetryableLockError({
        code: "P2010",
        meta: { driverAdapterError: { cause: { kind: "mysql", code: 1062 } } },
      }),
    ).toBe(false);
    expect(isRetryableLockError(new Error("no errno"))).toBe(false);
    expect(isRetryableLockError(null)).toBe(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isRetryableLockError(loop)).toBe(false);
  });
});
