// The chaos run's HTTP client: every request and every answer it saw, including the ones it
// never got (a timeout, a connection error), lands in the journal the ledger judges.

export type Outcome = number | "timeout" | "network";

export interface Exchange {
  op: string;
  startedAt: number;
  endedAt: number;
  outcome: Outcome;
  code?: string;
  retryAfter?: string;
}

export interface Answer {
  outcome: Outcome;
  // Response bodies are JSON the load and the ledger pick apart.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body?: any;
  text?: string;
  headers?: Headers;
}

export class Journal {
  readonly exchanges: Exchange[] = [];
  inFlight = 0;

  constructor(private readonly base: string) {}

  async send(
    op: string,
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      timeoutMs?: number;
    } = {},
  ): Promise<Answer> {
    const startedAt = Date.now();
    this.inFlight++;
    const record = (answer: Answer): Answer => {
      this.inFlight--;
      this.exchanges.push({
        op,
        startedAt,
        endedAt: Date.now(),
        outcome: answer.outcome,
        code: typeof answer.body?.code === "string" ? answer.body.code : undefined,
        retryAfter: answer.headers?.get("retry-after") ?? undefined,
      });
      return answer;
    };
    try {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = undefined;
      }
      return record({ outcome: res.status, body, text, headers: res.headers });
    } catch (error) {
      const name = (error as Error).name;
      return record({
        outcome: name === "TimeoutError" || name === "AbortError" ? "timeout" : "network",
      });
    }
  }
}

/** An answer worth retrying the same request after: in use, unavailable, lost. */
export function transient(answer: Answer): boolean {
  const o = answer.outcome;
  return (
    o === "timeout" ||
    o === "network" ||
    o >= 500 ||
    (o === 409 && answer.body?.code === "IDEMPOTENCY_KEY_IN_USE")
  );
}

/** How long to wait before retrying: the server's Retry-After (capped), else a short backoff. */
export function retryDelayMs(answer: Answer, attempt: number): number {
  const header = Number(answer.headers?.get("retry-after"));
  if (Number.isFinite(header) && header > 0) return Math.min(header, 3) * 1000;
  return Math.min(200 * 2 ** attempt, 3000);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
