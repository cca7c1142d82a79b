import { PassThrough } from "node:stream";
import { connectOptionalRedis, createLogger } from "../src";
import { testServers, uniqueName, waitFor } from "../src/testing";

function capturedLogger() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ service: "test-svc", stream }), lines };
}

describe("connectOptionalRedis", () => {
  test("answers commands once connected to a running Redis", async () => {
    const { logger, lines } = capturedLogger();
    const redis = await connectOptionalRedis({
      url: testServers().redisUrl,
      commandTimeoutMs: 200,
      logger,
      outageMessage: "redis unavailable; serving from the database",
    });
    try {
      const key = uniqueName("optional_redis");
      await redis.set(key, "1", "EX", 10);
      expect(await redis.get(key)).toBe("1");
      expect(lines).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  test("starts while Redis is down, fails commands at once and warns once per outage", async () => {
    const { logger, lines } = capturedLogger();
    // Nothing listens on port 1: the connection is refused, as when Redis is down.
    const redis = await connectOptionalRedis({
      url: "redis://127.0.0.1:1",
      commandTimeoutMs: 200,
      logger,
      outageMessage: "redis unavailable; serving from the database",
    });
    let reconnects = 0;
    redis.on("reconnecting", () => reconnects++);
    try {
      // At once: refused without being queued, not after the 200 ms command timeout.
      await expect(redis.get("any")).rejects.toThrow(/enableOfflineQueue/);
      const after = reconnects;
      await waitFor(() => reconnects >= after + 3, { what: "three more reconnect attempts" });
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        ["warn", "redis unavailable; serving from the database"],
      ]);
    } finally {
      redis.disconnect();
    }
  });
});
