import { startTcpProxy, testServers, waitFor, type TcpProxy } from "@app/shared/testing";
import {
  anOrderEvent,
  notificationCount,
  publish,
  startTestNotifier,
  type TestNotifier,
} from "./support";

describe("start while the database is down", () => {
  let door: TcpProxy;
  let t: TestNotifier;

  afterAll(async () => {
    await t?.close();
    await door?.close();
  });

  it("starts without waiting for it, then notifies once it is back", async () => {
    const db = new URL(testServers().databaseUrl);
    door = await startTcpProxy({ host: db.hostname, port: Number(db.port || 3306) });
    door.down();
    const started = performance.now();
    // Only the notifier goes through the proxy; the test's own pool reaches the database.
    t = await startTestNotifier({}, {}, (url) => {
      const proxied = new URL(url);
      proxied.port = String(door.port);
      return proxied.toString();
    });
    // Its warm-up reads are bounded: no wait for the pools' 10 s acquire timeout.
    expect(performance.now() - started).toBeLessThan(8_000);
    const event = anOrderEvent();
    await publish(t, event);
    door.up();
    await waitFor(async () => (await notificationCount(t, event.eventId)) === 1, {
      what: "the notification",
      timeoutMs: 30_000,
    });
  });
});
