// Measures login latency at a given bcrypt cost (default 12, the production value) for a wrong
// password, an unknown email and a success, against a scratch database that is dropped after.
// Usage: DATABASE_URL=mysql://root@127.0.0.1:3306/x REDIS_URL=redis://127.0.0.1:6379 \
//        npx tsx scripts/measure-login.ts [rounds] [cost]
import { createLogger, withDatabase } from "@app/shared";
import { dropDatabase } from "@app/shared/testing";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { loadAuthConfig, startAuth } from "../src/main";

const rounds = Number(process.argv[2] ?? 20);
const cost = process.argv[3] ?? "12";

async function timedLogin(
  url: string,
  body: unknown,
  client: number,
): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": `10.9.${client >> 8}.${client & 255}`,
    },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    median: at(0.5).toFixed(1),
    p90: at(0.9).toFixed(1),
    mean: mean.toFixed(1),
    min: sorted[0]!.toFixed(1),
    max: sorted.at(-1)!.toFixed(1),
  };
};

async function main() {
  const database = `auth_measure_${randomBytes(3).toString("hex")}`;
  const databaseUrl = withDatabase(
    process.env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/",
    database,
  );
  const config = loadAuthConfig({
    ...process.env,
    PORT: "0",
    DATABASE_URL: databaseUrl,
    BCRYPT_COST: cost,
    REDIS_KEY_PREFIX: `${database}:`,
    LOGIN_MAX_FAILURES_PER_EMAIL: "100000",
    LOGIN_MAX_FAILURES_PER_CLIENT: "100000",
    KEYS_DIR: `/tmp/${database}-keys`,
  });
  const auth = await startAuth(config, { logger: createLogger({ service: "auth", silent: true }) });
  try {
    const email = `measure-${database}@example.com`;
    const password = "measure password 1";
    await fetch(`${auth.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    const cases = {
      wrongPassword: { email, password: "not the password" },
      unknownEmail: { email: `nobody-${database}@example.com`, password: "not the password" },
      success: { email, password },
    };
    const samples: Record<string, number[]> = { wrongPassword: [], unknownEmail: [], success: [] };
    for (const body of Object.values(cases)) await timedLogin(auth.url, body, 0); // warm-up
    let client = 1;
    for (let i = 0; i < rounds; i++) {
      // Interleaved so drift in machine load hits every case alike.
      for (const [name, body] of Object.entries(cases)) {
        const { ms, status } = await timedLogin(auth.url, body, client++);
        if (status !== (name === "success" ? 200 : 401))
          throw new Error(`${name}: unexpected status ${status}`);
        samples[name]!.push(ms);
      }
    }
    console.log(
      JSON.stringify(
        {
          bcryptCost: Number(cost),
          rounds,
          unit: "ms",
          ...Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)])),
        },
        null,
        2,
      ),
    );
  } finally {
    await auth.close();
    await dropDatabase(databaseUrl);
    const redis = new Redis(config.REDIS_URL);
    const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
