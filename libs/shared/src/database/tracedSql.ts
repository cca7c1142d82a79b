import type { PrismaMariaDb } from "@prisma/adapter-mariadb";
import type { Pool, PoolConnection } from "mariadb";
import { inSpan, insideSpan, SpanKind } from "../tracing";

type Sql = string | { sql: string };
type Method = (...args: unknown[]) => unknown;

const sqlText = (sql: Sql) => (typeof sql === "string" ? sql : sql.sql);

/**
 * One CLIENT span per statement, named by its first keyword and carrying the statement text
 * (placeholders, never the values). Only statements of traced work get one: a polling loop's
 * idle queries would otherwise each start a trace of their own.
 */
function traced<T>(sql: Sql, run: () => Promise<T>): Promise<T> {
  if (!insideSpan()) return run();
  const text = sqlText(sql).trim();
  const operation = /^\w+/.exec(text)?.[0]?.toUpperCase() ?? "SQL";
  return inSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "db.system.name": "mysql",
        "db.operation.name": operation,
        "db.query.text": text,
      },
    },
    run,
  );
}

const STATEMENTS = new Set(["query", "execute", "batch"]);

/** Methods of `target` (bound to it, so private fields keep working), statements traced. */
function proxy<T extends object>(target: T, wrap: (name: string, method: Method) => unknown): T {
  return new Proxy(target, {
    get(object, name) {
      const value = Reflect.get(object, name) as unknown;
      if (typeof value !== "function" || typeof name !== "string") return value;
      return wrap(name, (value as Method).bind(object));
    },
  });
}

// Transaction control as statements of their own, so a trace shows where work committed.
const TRANSACTION_CONTROL: Record<string, string> = {
  beginTransaction: "BEGIN",
  commit: "COMMIT",
  rollback: "ROLLBACK",
};

function traceStatements(name: string, method: Method): unknown {
  const control = TRANSACTION_CONTROL[name];
  if (control) return (...args: unknown[]) => traced(control, async () => method(...args));
  if (!STATEMENTS.has(name)) return method;
  return (sql: Sql, ...rest: unknown[]) => traced(sql, async () => method(sql, ...rest));
}

/** A driver pool whose statements (and those of the connections it hands out) are traced. */
export function tracePool(pool: Pool): Pool {
  return proxy(pool, (name, method) => {
    if (name === "getConnection")
      return async () => proxy((await method()) as PoolConnection, traceStatements);
    return traceStatements(name, method);
  });
}

type Queryable = { queryRaw: Method; executeRaw: Method };

function traceQueries(name: string, method: Method): unknown {
  if (name !== "queryRaw" && name !== "executeRaw") return method;
  return (query: { sql: string }, ...rest: unknown[]) =>
    traced(query.sql, async () => method(query, ...rest));
}

/** Prisma's driver adapter with its statements, inside transactions too, traced. */
export function traceAdapter(factory: PrismaMariaDb): PrismaMariaDb {
  return proxy(factory, (name, method) => {
    if (name !== "connect") return method;
    return async () =>
      proxy((await method()) as Queryable & object, (adapterMethod, fn) => {
        if (adapterMethod === "startTransaction")
          return async (...args: unknown[]) =>
            proxy((await fn(...args)) as Queryable & object, traceQueries);
        return traceQueries(adapterMethod, fn);
      });
  });
}
