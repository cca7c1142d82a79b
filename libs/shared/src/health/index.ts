/** A named dependency probe; it fails by throwing or by exceeding its timeout. */
export interface HealthCheck {
  name: string;
  check: () => Promise<unknown>;
  timeoutMs?: number;
}

export interface HealthReport {
  status: "ok" | "fail";
  checks: Record<string, { status: "ok" | "fail"; durationMs: number; error?: string }>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check in parallel, each bounded by its timeout. */
export async function runHealthChecks(checks: HealthCheck[]): Promise<HealthReport> {
  const entries = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      try {
        await withTimeout(Promise.resolve().then(c.check), c.timeoutMs ?? 2000);
        return [
          c.name,
          { status: "ok" as const, durationMs: Math.round(performance.now() - started) },
        ] as const;
      } catch (error) {
        return [
          c.name,
          {
            status: "fail" as const,
            durationMs: Math.round(performance.now() - started),
            error: error instanceof Error ? error.message : String(error),
          },
        ] as const;
      }
    }),
  );
  const report: HealthReport = { status: "ok", checks: {} };
  for (const [name, result] of entries) {
    report.checks[name] = result;
    if (result.status === "fail") report.status = "fail";
  }
  return report;
}

/** Something that answers a trivial SQL query (a Prisma client, a mariadb pool). */
export function databaseCheck(
  db: {
    $queryRawUnsafe?: (sql: string) => Promise<unknown>;
    query?: (sql: string) => Promise<unknown>;
  },
  timeoutMs = 2000,
): HealthCheck {
  return {
    name: "database",
    timeoutMs,
    check: () => (db.$queryRawUnsafe ? db.$queryRawUnsafe("SELECT 1") : db.query!("SELECT 1")),
  };
}

export function redisCheck(redis: { ping: () => Promise<unknown> }, timeoutMs = 1000): HealthCheck {
  return { name: "redis", timeoutMs, check: () => redis.ping() };
}

export function kafkaCheck(kafka: { ping: () => Promise<unknown> }, timeoutMs = 3000): HealthCheck {
  return { name: "kafka", timeoutMs, check: () => kafka.ping() };
}
