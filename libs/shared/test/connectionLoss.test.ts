import request from "supertest";
import { createPool, isConnectionLoss, type Pool } from "../src";
import {
  createTestDatabase,
  startTcpProxy,
  type TcpProxy,
  type TestDatabase,
  waitFor,
} from "../src/testing";
import { buildTestApp } from "./testApp";

// Found by the chaos run: a database connection cut mid-request answered 500, and a cut during a
// new connection's session set-up crashed the process. The database sits behind a TCP proxy
// here, so the test really takes it off the network.
describe("a database connection lost under a request", () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let pool: Pool;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    db = await createTestDatabase(null, "connloss");
    const server = new URL(db.url);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 3306) });
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    viaProxy.searchParams.set("acquireTimeout", "1500");
    viaProxy.searchParams.set("connectTimeout", "1000");
    pool = createPool(viaProxy.toString(), { connectionLimit: 2 });
    process.on("unhandledRejection", onUnhandled);
  });

  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await pool?.end().catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  });

  const app = () =>
    buildTestApp((a) => {
      a.get("/slow", async (_req, res) => {
        const rows = await pool.query("SELECT SLEEP(0.3) AS slept");
        res.json(rows[0]);
      });
      a.get("/bug", () => {
        throw new Error("not a connection problem");
      });
    });

  it("answers 503 DEPENDENCY_UNAVAILABLE with Retry-After, not 500, when the connection is cut mid-query", async () => {
    const { app: server, lines } = app();
    const cut = proxy.cutAfterRequest("SLEEP(0.3)");
    const res = await request(server).get("/slow");
    await cut;
    expect(res.status).toBe(503);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.body).toMatchObject({ status: 503, code: "DEPENDENCY_UNAVAILABLE" });
    expect(JSON.stringify(res.body)).not.toMatch(/socket|SqlError|ECONN/);
    expect(lines.some((l) => l.msg === "dependency connection lost")).toBe(true);
  });

  it("answers 503 with Retry-After while the database refuses connections, and 200 once it is back", async () => {
    const { app: server } = app();
    proxy.down();
    try {
      const res = await request(server).get("/slow");
      expect([res.status, res.headers["retry-after"], res.body.code]).toEqual([
        503,
        "1",
        "DEPENDENCY_UNAVAILABLE",
      ]);
    } finally {
      proxy.up();
    }
    // The pool reconnects on its own once the database takes connections again.
    await waitFor(async () => (await request(server).get("/slow")).status === 200, {
      what: "a 200 once the database is back",
      timeoutMs: 20_000,
    });
  });

  it("still answers 500 INTERNAL for an error that is not a lost connection", async () => {
    const res = await request(app().app).get("/bug");
    expect([res.status, res.body.code]).toEqual([500, "INTERNAL"]);
  });

  it("survives a cut while a new connection sets its session time zone: the query fails or retries, nothing is left unhandled", async () => {
    // Fresh connections only: the pool's idle ones are gone with the cut.
    proxy.cutConnections();
    const cut = proxy.cutAfterRequest("time_zone");
    const outcome = await pool.query("SELECT 1 AS one").then(
      () => "answered",
      (error: unknown) => (isConnectionLoss(error) ? "connection lost" : String(error)),
    );
    await cut;
    expect(["answered", "connection lost"]).toContain(outcome);
    // Give a stray rejection its turn of the event loop before judging.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect((await pool.query("SELECT 1 AS one"))[0]).toEqual({ one: 1 });
    // mariadb 3.4.5 left the pool waiting forever here (and crashed a service without a listener).
  }, 20_000);
});

describe("isConnectionLoss", () => {
  it("recognises the driver's, the server's and Prisma's ways of saying the connection is gone, and nothing else", () => {
    expect(
      isConnectionLoss(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })),
    ).toBe(true);
    expect(isConnectionLoss({ errno: 45028, sqlState: "HY000" })).toBe(true);
    expect(isConnectionLoss({ errno: 1040 })).toBe(true);
    expect(isConnectionLoss({ code: "P2024" })).toBe(true);
    expect(
      isConnectionLoss({
        code: "P2028",
        message: "Transaction API error: Unable to start a transaction in the given time.",
      }),
    ).toBe(true);
    expect(isConnectionLoss({ code: "P2028", message: "Transaction already closed" })).toBe(false);
    // Prisma 7 with the mariadb adapter: the driver's errno and state under meta.driverAdapterError.
    expect(
      isConnectionLoss({
        code: "P2039",
        meta: { driverAdapterError: { cause: { kind: "mysql", code: 45009, state: "08S01" } } },
      }),
    ).toBe(true);
    expect(isConnectionLoss(new Error("wrapped", { cause: { sqlState: "08S01" } }))).toBe(true);
    expect(isConnectionLoss({ errno: 1062, sqlState: "23000" })).toBe(false);
    expect(isConnectionLoss({ code: "P2002" })).toBe(false);
    expect(isConnectionLoss(new Error("plain"))).toBe(false);
    expect(isConnectionLoss(null)).toBe(false);
  });
});
