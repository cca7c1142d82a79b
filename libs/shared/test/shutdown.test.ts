import request from "supertest";
import { startHttpServer } from "../src";
import { waitFor } from "../src/testing";
import { buildTestApp } from "./testApp";

/** A promise the test settles itself: a handler waits on it instead of sleeping. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const refused = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => false,
    () => true,
  );

/** An app whose GET /slow holds until the test opens `finish`; `arrived` opens once it is held. */
function appWithSlowRoute() {
  const events: string[] = [];
  const arrived = gate();
  const finish = gate();
  const t = buildTestApp((a) =>
    a.get("/slow", async (_req, res) => {
      arrived.open();
      await finish.opened;
      res.json({ done: true });
      events.push("slow answered");
    }),
  );
  return { events, arrived, finish, t };
}

/** Starts the test app on a random loopback port with the given shutdown options. */
function serveOnLoopback(
  t: ReturnType<typeof buildTestApp>,
  options: Omit<Parameters<typeof startHttpServer>[1], "port" | "host" | "logger">,
) {
  return startHttpServer(t.app, { port: 0, host: "127.0.0.1", logger: t.logger, ...options });
}

describe("graceful shutdown", () => {
  test("lets a slow in-flight request finish, refuses new connections, then runs the closers", async () => {
    const { events, arrived, finish, t } = appWithSlowRoute();
    const running = await serveOnLoopback(t, {
      closers: [async () => void events.push("pool closed")],
    });
    const inFlight = fetch(`${running.url}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await arrived.opened;
    const closed = running.close().then(() => events.push("server closed"));
    await waitFor(() => refused(`${running.url}/health/live`), { what: "new connections refused" });
    // Still draining: the closers wait for the request in flight.
    expect(events).toEqual([]);
    finish.open();
    const answer = await inFlight;
    await closed;
    expect(answer).toEqual({ status: 200, body: { done: true } });
    expect(events).toEqual(["slow answered", "pool closed", "server closed"]);
  });

  test("readiness answers 503 from the moment draining starts, with no flag of the service's own", async () => {
    const { events, arrived, finish, t } = appWithSlowRoute();
    const running = await serveOnLoopback(t, {
      onDrainStart: () => void events.push("drain started"),
      closers: [async () => void events.push("pool closed")],
    });
    const before = await fetch(`${running.url}/health/ready`);
    expect(before.status).toBe(200);

    const inFlight = fetch(`${running.url}/slow`).then((r) => r.status);
    await arrived.opened;
    const closed = running.close();
    // The listener no longer accepts connections, so ask the same app through a server of its own.
    const during = await request(t.app).get("/health/ready");
    expect(events).toEqual(["drain started"]);
    expect(during.status).toBe(503);
    expect(during.body).toEqual({
      status: "fail",
      checks: { shutdown: { status: "fail", durationMs: 0, error: "shutting down" } },
    });
    finish.open();
    expect(await inFlight).toBe(200);
    await closed;
    expect((await request(t.app).get("/health/ready")).status).toBe(503);
    expect(events).toEqual(["drain started", "slow answered", "pool closed"]);
  });

  test("cuts requests that outlive the drain deadline, so shutdown always ends", async () => {
    const arrived = gate();
    const t = buildTestApp((a) => a.get("/stuck", () => arrived.open()));
    const running = await serveOnLoopback(t, {
      drainDeadlineMs: 200,
    });
    const stuck = fetch(`${running.url}/stuck`).then(
      () => "answered",
      () => "cut",
    );
    await arrived.opened;
    await running.close();
    expect(await stuck).toBe("cut");
    expect(t.lines.some((l) => l.msg === "drain deadline reached; closing open connections")).toBe(
      true,
    );
  });
});
