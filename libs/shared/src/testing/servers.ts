// The real servers a test runs against, and names and databases of its own on them.
import { randomBytes } from "node:crypto";
import mariadb from "mariadb";
import {
  createDatabaseIfMissing,
  parseDatabaseUrl,
  poolConfig,
  SAFE_DB_NAME,
  withDatabase,
} from "../database";
import { runMigrations } from "../migrations";

export interface TestServers {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
}

/** The servers the global setup provided; fails loudly when a test runs without it. */
export function testServers(): TestServers {
  const { DATABASE_URL, REDIS_URL, KAFKA_BROKERS } = process.env;
  if (!DATABASE_URL || !REDIS_URL || !KAFKA_BROKERS) {
    throw new Error(
      "DATABASE_URL, REDIS_URL and KAFKA_BROKERS must be set (the jest global setup does it)",
    );
  }
  return { databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, kafkaBrokers: KAFKA_BROKERS.split(",") };
}

/** A short unique name for databases, topics, consumer groups and Redis prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`.replace(
    /[^A-Za-z0-9_]/g,
    "_",
  );
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database with the service's migrations applied; drop it in afterAll. */
export async function createTestDatabase(
  migrationsDir: string | null,
  prefix = "t",
): Promise<TestDatabase> {
  const name = uniqueName(prefix).slice(0, 64);
  const url = withDatabase(testServers().databaseUrl, name);
  if (migrationsDir) await runMigrations({ databaseUrl: url, dir: migrationsDir });
  else await createDatabaseIfMissing(url);
  return { url, name, drop: () => dropDatabase(url) };
}

/** Drops a database a test, bench or isolated stack created for itself. */
export async function dropDatabase(url: string): Promise<void> {
  const { database } = parseDatabaseUrl(url);
  if (!SAFE_DB_NAME.test(database)) throw new Error(`unsafe database name: ${database}`);
  const conn = await mariadb.createConnection({ ...poolConfig(url, { noDatabase: true }) });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await conn.end();
  }
}
