import { env, loadConfig } from "@app/shared";
import { z } from "zod";

// An empty variable (`PUSHGATEWAY_URL=` in a manifest) means "not configured", not "invalid".
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

export const archiverConfigSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  DATABASE_URL: env.databaseUrl("mysql://root@127.0.0.1:3306/orders"),
  ARCHIVE_AFTER_DAYS: env.int(30, 1),
  ARCHIVE_CHUNK_SIZE: env.int(500, 1).pipe(z.number().max(10_000)),
  ARCHIVE_PAUSE_MS: env.int(100, 0),
  /** 0: exit 0 at once when another run holds the lock. */
  ARCHIVE_LOCK_WAIT_SECONDS: env.int(0, 0),
  PUSHGATEWAY_URL: optionalUrl,
});

export type ArchiverConfig = z.infer<typeof archiverConfigSchema>;

export function loadArchiverConfig(source: Record<string, string | undefined>): ArchiverConfig {
  return loadConfig(archiverConfigSchema, source);
}
