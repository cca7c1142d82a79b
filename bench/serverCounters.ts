// Round trips to the database and Redis servers over a phase, from the servers' own counters:
// MariaDB/MySQL `Questions` (every statement a client sent, prepared executions included) plus
// `Com_stmt_prepare` (a prepare is a round trip of its own), and Redis's
// `total_commands_processed`. Both are server-wide: every client of the server counts, which is
// what "per order, summed over the stack" asks for (and why nothing else should run meanwhile).
import { createPool } from "@app/shared";
import { Redis } from "ioredis";

export interface RoundTrips {
  database: number;
  redis: number;
}

export interface RoundTripCounter {
  /** The counters now; the reads themselves are taken off, so two readings subtract cleanly. */
  read(): Promise<RoundTrips>;
  close(): Promise<void>;
}

// dialect-gate-ignore: node-sql-parser's grammar has no SHOW GLOBAL STATUS; MySQL 8.4 and MariaDB do
const STATUS = "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_stmt_prepare')";

export function roundTripCounter(databaseUrl: string, redisUrl: string): RoundTripCounter {
  const db = createPool(databaseUrl, { connectionLimit: 1, noDatabase: true });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let reads = 0;
  return {
    async read() {
      const rows: { Variable_name: string; Value: string }[] = await db.query(STATUS);
      const info = await redis.info("stats");
      reads++;
      const database = rows.reduce((sum, r) => sum + Number(r.Value), 0);
      const commands = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
      // Each read so far sent one statement and one INFO.
      return { database: database - reads, redis: commands - reads };
    },
    async close() {
      await db.end();
      redis.disconnect();
    },
  };
}

/** (after - before) / orders for each server, to one decimal. */
export function perOrder(before: RoundTrips, after: RoundTrips, orders: number): RoundTrips {
  const n = Math.max(1, orders);
  return {
    database: Math.round(((after.database - before.database) / n) * 10) / 10,
    redis: Math.round(((after.redis - before.redis) / n) * 10) / 10,
  };
}
