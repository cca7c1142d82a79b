import request from "supertest";
import { startHttpServer } from "../src";
import { buildTestApp } from "./testApp";

describe("graceful shutdown", () => {
  test("lets a slow in-flight request finish, refuses new connections, then runs the closers", async () => {
    const events: string[] = [];
    const t = buildTestApp((a) =>
      a.get("/slow", async (_req, res) => {
        await new Promise((r) => setTimeout(r, 700));
        res.json({ done: true });
        events.push("slow answered");
      }),
    );
    const running = await startHttpServer(t.app, {
      port: 0,
      host: "127.0.0.1",
      logger: t.logger,
      closers: [async () => void events.push("pool closed")],
    });
    const inFlight = fetch(`${running.url}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await new Promise((r) => setTimeout(r, 150));
    const closed = running.close().then(() => events.push("server closed"));
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${running.url}/health/live`)).rejects.toThrow();
    const answer = await inFlight;
    await closed;
    expect(answer).toEqual({ status: 200, body: { done: true } });
    expect(events).toEqual(["slow answered", "pool closed", "server closed"]);
  });

  test("readiness answers 503 from the moment draining starts, with no flag of the service's own", async () => {
    const events: string[] = [];
    const t = buildTestApp((a) =>
      a.get("/slow", async (_req, res) => {
        await new Promise((r) => setTimeout(r, 500));
        res.json({ done: true });
        events.push("slow answered");
      }),
    );
    const running = await startHttpServer(t.app, {
      port: 0,
      host: "127.0.0.1",
      logger: t.logger,
      onDrainStart: () => void events.push("drain started"),
      closers: [async () => void events.push("pool closed")],
    });
    const before = await fetch(`${running.url}/health/ready`);
    expect(before.status).toBe(200);

    const inFlight = fetch(`${running.url}/slow`).then((r) => r.status);
    await new Promise((r) => setTimeout(r, 100));
    const closed = running.close();
    // The listener no longer accepts connections, so ask the same app through a server of its own.
    const during = await request(t.app).get("/health/ready");
    expect(events).toEqual(["drain started"]);
    expect(during.status).toBe(503);
    expect(during.body).toEqual({
      status: "fail",
      checks: { shutdown: { status: "fail", durationMs: 0, error: "shutting down" } },
    });
    expect(await inFlight).toBe(200);
    await closed;
    expect((await request(t.app).get("/health/ready")).status).toBe(503);
    expect(events).toEqual(["drain started", "slow answered", "pool closed"]);
  });

  test("cuts requests that outlive the drain deadline, so shutdown always ends", async () => {
    const t = buildTestApp((a) => a.get("/stuck", () => undefined));
    const running = await startHttpServer(t.app, {
      port: 0,
      host: "127.0.0.1",
      logger: t.logger,
      drainDeadlineMs: 200,
    });
    const stuck = fetch(`${running.url}/stuck`).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((r) => setTimeout(r, 100));
    await running.close();
    expect(await stuck).toBe("cut");
    expect(t.lines.some((l) => l.msg === "drain deadline reached; closing open connections")).toBe(
      true,
    );
  });
});
