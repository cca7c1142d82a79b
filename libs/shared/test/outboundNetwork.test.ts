import http from "node:http";
import net, { type AddressInfo } from "node:net";

// 93.184.215.14 is a public address (example.com's, as the notifier's SSRF tests use it).
const PUBLIC_ADDRESS = "93.184.215.14";

function connectionOutcome(connect: () => net.Socket): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect();
    socket.setTimeout(5_000, () => socket.destroy(new Error("timed out")));
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error) => resolve(error.message));
  });
}

describe("outbound network in tests", () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end("local"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("refuses a TCP connection to a public address with an error that says why", async () => {
    await expect(connectionOutcome(() => net.connect(443, PUBLIC_ADDRESS))).resolves.toMatch(
      /outbound network blocked in tests: 93\.184\.215\.14:443 is not loopback/,
    );
    const socket = new net.Socket();
    await expect(
      connectionOutcome(() => socket.connect({ host: PUBLIC_ADDRESS, port: 80 })),
    ).resolves.toMatch(/outbound network blocked/);
  });

  test("refuses fetch to a public address", async () => {
    // fetch's TypeError comes from Node's own realm, not the test's: compare messages only.
    const failure: unknown = await fetch(`http://${PUBLIC_ADDRESS}/`).then(
      (response) => `answered ${response.status}`,
      (error: { message: string; cause?: { message: string } }) =>
        `${error.message}: ${error.cause?.message}`,
    );
    expect(failure).toMatch(/fetch failed: outbound network blocked/);
  });

  test("refuses a name that resolves outside loopback", async () => {
    const lookupToPublic: net.LookupFunction = (_host, _options, callback) =>
      callback(null, [{ address: PUBLIC_ADDRESS, family: 4 }]);
    await expect(
      connectionOutcome(() =>
        net.connect({ host: "public.example", port: 443, lookup: lookupToPublic }),
      ),
    ).resolves.toMatch(/public\.example \(93\.184\.215\.14\)/);
  });

  test("lets loopback through: 127.0.0.1, localhost, and a name that resolves to loopback", async () => {
    const lookupToLoopback: net.LookupFunction = (_host, _options, callback) =>
      callback(null, [{ address: "127.0.0.1", family: 4 }]);
    await expect(connectionOutcome(() => net.connect(port, "127.0.0.1"))).resolves.toBe(
      "connected",
    );
    await expect(connectionOutcome(() => net.connect(port, "localhost"))).resolves.toBe(
      "connected",
    );
    await expect(
      connectionOutcome(() =>
        net.connect({ host: "hooks.local.test", port, lookup: lookupToLoopback }),
      ),
    ).resolves.toBe("connected");
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("local");
  });
});
