import { errorChain } from "./errorChain";

// A request that failed because a connection to a dependency was lost, refused or never handed
// out (the database cut, stalled past the pool's acquire timeout, restarting) says nothing about
// the request: the answer is 503 with Retry-After, which clients may retry, not 500.

// Node's socket errors: the peer reset, refused or timed out the connection.
const SOCKET_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"]);

// The mariadb driver's connection errors (lib/misc/errors.js): already closed, socket closed
// unexpectedly, connect timeout, command on a closed connection, no pool connection in time.
const DRIVER_ERRNOS = new Set([45001, 45009, 45012, 45013, 45028]);

// Server errors that mean "not now": too many connections, shutting down, gone away, lost.
const SERVER_ERRNOS = new Set([1040, 1053, 2002, 2003, 2006, 2013]);

// Prisma's: cannot reach the server, timed out, closed the connection, pool timeout.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

/** True when `error`, or an error it wraps, is the loss of a connection to a dependency. */
export function isConnectionLoss(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (typeof e.code === "string" && (SOCKET_CODES.has(e.code) || PRISMA_CODES.has(e.code)))
      return true;
    // P2028 is every interactive-transaction failure; this one is no pool connection in time.
    if (e.code === "P2028" && /start a transaction in the given time/.test(String(e.message)))
      return true;
    const errno = typeof e.errno === "number" ? e.errno : e.code;
    if (typeof errno === "number" && (DRIVER_ERRNOS.has(errno) || SERVER_ERRNOS.has(errno)))
      return true;
    // SQLSTATE class 08: connection exception.
    const state = e.sqlState ?? e.state;
    if (typeof state === "string" && state.startsWith("08")) return true;
    if (e.kind === "TooManyConnections") return true;
  }
  return false;
}
