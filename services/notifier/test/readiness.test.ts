import net from "node:net";
import { testServers, waitFor } from "@app/shared/testing";
import { startTestNotifier, type TestNotifier } from "./support";

/**
 * The notifier's bootstrap address, forwarded to the shared broker: closing it is Kafka going
 * away for a new connection (the readiness probe's), without stopping the broker everyone uses.
 */
class BrokerDoor {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async open(): Promise<void> {
    const [host, port] = testServers().kafkaBrokers[0]!.split(":");
    this.server = net.createServer((client) => {
      const broker = net.connect(Number(port), host);
      for (const s of [client, broker]) {
        this.sockets.add(s);
        s.on("error", () => undefined);
        s.on("close", () => this.sockets.delete(s));
      }
      client.pipe(broker).pipe(client);
      client.on("close", () => broker.destroy());
      broker.on("close", () => client.destroy());
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const readiness = async (url: string) => {
  const response = await fetch(`${url}/health/ready`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: Record<string, { status: string }> },
  };
};

describe("readiness", () => {
  const door = new BrokerDoor();
  let t: TestNotifier;

  beforeAll(async () => {
    await door.open();
    t = await startTestNotifier({ KAFKA_BROKERS: `127.0.0.1:${door.port}` });
  });

  afterAll(async () => {
    await t?.close();
    await door.close();
  });

  it("reports Kafka beside the database, and answers 503 while Kafka cannot be reached", async () => {
    expect(await readiness(t.url)).toEqual({
      status: 200,
      body: expect.objectContaining({
        checks: {
          database: expect.objectContaining({ status: "ok" }),
          kafka: expect.objectContaining({ status: "ok" }),
        },
      }),
    });

    await door.close();
    const down = await readiness(t.url);
    expect(down.status).toBe(503);
    expect(down.body.checks).toMatchObject({
      database: { status: "ok" },
      kafka: { status: "fail" },
    });

    await door.open();
    await waitFor(async () => (await readiness(t.url)).status === 200, {
      what: "ready again",
      timeoutMs: 15_000,
    });
  });
});
