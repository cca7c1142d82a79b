import { outgoingHeaders } from "../context";

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface JsonRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Network failure or timeout of an outgoing call (as opposed to an HTTP answer). */
export class UpstreamUnreachableError extends Error {
  override name = "UpstreamUnreachableError";
}

/**
 * A JSON call to another service: carries the current request id, bounded by a timeout,
 * and resolves with every HTTP status so the caller judges the answer.
 */
export async function callJson<T = unknown>(
  url: string,
  request: JsonRequest = {},
): Promise<JsonResponse<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? "GET",
      headers: {
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...outgoingHeaders(),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 5000),
    });
  } catch (error) {
    throw new UpstreamUnreachableError(
      `${request.method ?? "GET"} ${url}: ${(error as Error).message}`,
    );
  }
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, headers: response.headers, body: body as T };
}
