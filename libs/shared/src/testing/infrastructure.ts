// Real servers for tests: the environment's when DATABASE_URL / REDIS_URL / KAFKA_BROKERS are
// set (CI and this machine), else Testcontainers (a laptop or GitHub Actions with Docker).
import type { StartedTestContainer } from "testcontainers";

type Started = { stop: () => Promise<unknown> };
const started: Started[] = [];

export async function globalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    const { MySqlContainer } = await import("@testcontainers/mysql");
    const mysql = await new MySqlContainer("mysql:8.4").withRootPassword("test").start();
    started.push(mysql);
    // caching_sha2_password without TLS: the driver fetches the server's RSA key to sign in.
    process.env.DATABASE_URL = `mysql://root:test@${mysql.getHost()}:${mysql.getPort()}/test?allowPublicKeyRetrieval=true`;
  }
  if (!process.env.REDIS_URL) {
    const { RedisContainer } = await import("@testcontainers/redis");
    const redis = await new RedisContainer("redis:7-alpine").start();
    started.push(redis);
    process.env.REDIS_URL = redis.getConnectionUrl();
  }
  if (!process.env.KAFKA_BROKERS) {
    const { KafkaContainer } = await import("@testcontainers/kafka");
    const kafka: StartedTestContainer = await new KafkaContainer("confluentinc/cp-kafka:7.9.1")
      .withKraft()
      .start();
    started.push(kafka);
    process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  }
  (globalThis as { __testContainers?: Started[] }).__testContainers = started;
}

export async function globalTeardown(): Promise<void> {
  const list = (globalThis as { __testContainers?: Started[] }).__testContainers ?? [];
  await Promise.all(list.map((c) => c.stop()));
}
