import { startTcpProxy, testServers, waitFor, type TcpProxy } from "@app/shared/testing";
import { startTestNotifier, type TestNotifier } from "./support";

const readiness = async (url: string) => {
  const response = await fetch(`${url}/health/ready`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: Record<string, { status: string }> },
  };
};

// The notifier's bootstrap address goes through a proxy to the shared broker: taking the proxy
// down is Kafka going away for a new connection (the readiness probe's), without stopping the
// broker everyone uses.
describe("readiness", () => {
  let door: TcpProxy;
  let t: TestNotifier;

  beforeAll(async () => {
    const [host, port] = testServers().kafkaBrokers[0]!.split(":");
    door = await startTcpProxy({ host: host!, port: Number(port) });
    t = await startTestNotifier({ KAFKA_BROKERS: `127.0.0.1:${door.port}` });
  });

  afterAll(async () => {
    await t?.close();
    await door?.close();
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

    door.down();
    const down = await readiness(t.url);
    expect(down.status).toBe(503);
    expect(down.body.checks).toMatchObject({
      database: { status: "ok" },
      kafka: { status: "fail" },
    });

    door.up();
    await waitFor(async () => (await readiness(t.url)).status === 200, {
      what: "ready again",
      timeoutMs: 15_000,
    });
  });
});
