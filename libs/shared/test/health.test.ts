import Redis from "ioredis";
import request from "supertest";
import { createPool, databaseCheck, redisCheck, type HealthCheck } from "../src";
import { testServers } from "../src/testing";
import { buildTestApp } from "./testApp";

describe("/health", () => {
  const { databaseUrl, redisUrl } = testServers();
  const pool = createPool(databaseUrl, { connectionLimit: 2 });
  const liveRedis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // Nothing listens on port 1: the connection is refused, as when Redis is down.
  const deadRedis = new Redis("redis://127.0.0.1:1", {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  deadRedis.on("error", () => undefined);

  afterAll(async () => {
    await pool.end();
    liveRedis.disconnect();
    deadRedis.disconnect();
  });

  test("live answers 200 without touching dependencies", async () => {
    const t = buildTestApp(() => undefined, [redisCheck(deadRedis)]);
    const res = await request(t.app).get("/health/live");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  test("ready answers 200 with per-check JSON when the database and Redis answer", async () => {
    await liveRedis.connect();
    const t = buildTestApp(() => undefined, [databaseCheck(pool), redisCheck(liveRedis)]);
    const res = await request(t.app).get("/health/ready");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    expect(res.body.checks.database.status).toBe("ok");
    expect(res.body.checks.redis.status).toBe("ok");
  });

  test("ready answers 503 naming Redis when Redis is unreachable, the database still ok", async () => {
    const t = buildTestApp(() => undefined, [databaseCheck(pool), redisCheck(deadRedis)]);
    const res = await request(t.app).get("/health/ready");
    expect(res.status).toBe(503);
    expect(res.body.status).toBe("fail");
    expect(res.body.checks.redis.status).toBe("fail");
    expect(res.body.checks.redis.error).toEqual(expect.any(String));
    expect(res.body.checks.database.status).toBe("ok");
  });

  test("a check that hangs fails by its timeout instead of hanging the probe", async () => {
    const hanging: HealthCheck = {
      name: "slow",
      timeoutMs: 100,
      check: () => new Promise(() => undefined),
    };
    const t = buildTestApp(() => undefined, [hanging]);
    const res = await request(t.app).get("/health/ready");
    expect(res.status).toBe(503);
    expect(res.body.checks.slow.error).toMatch(/timed out after 100 ms/);
  });

  test("/metrics serves Prometheus text with the HTTP histogram by route template", async () => {
    const t = buildTestApp((a) => a.get("/items/:id", (_req, res) => void res.json({})));
    await request(t.app).get("/items/7").expect(200);
    const res = await request(t.app).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/items\/:id"[^}]*status="200"/,
    );
  });
});
