import { newId } from "../ids";
import { AsyncLocalStorage } from "node:async_hooks";

export const REQUEST_ID_HEADER = "x-request-id";

/** Who is calling: a signed-in user, another service, or nobody. */
export type Caller =
  | { kind: "user"; userId: string; role: string }
  | { kind: "service"; name: string }
  | { kind: "anonymous" };

export interface RequestContext {
  requestId: string;
  caller: Caller;
}

const storage = new AsyncLocalStorage<RequestContext>();

// Visible ASCII without spaces or quotes, short enough to log safely.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's request id when it is sane, else a new one. */
export function requestIdFrom(candidate: unknown): string {
  if (typeof candidate === "string" && SANE_REQUEST_ID.test(candidate)) return candidate;
  return newId();
}

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Sets the caller once authentication has identified it. */
export function setCaller(caller: Caller): void {
  const context = storage.getStore();
  if (context) context.caller = caller;
}

/** Headers that carry the context on an outgoing HTTP call. */
export function outgoingHeaders(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
}

/** Restores a context from message headers (Kafka), generating a request id when none came. */
export function contextFromHeaders(
  headers: Record<string, string | undefined>,
  caller: Caller = { kind: "anonymous" },
): RequestContext {
  return { requestId: requestIdFrom(headers[REQUEST_ID_HEADER]), caller };
}
