import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";

export interface RemoteKeySetOptions {
  url: string;
  /** The whole set is fetched again this often, whatever tokens arrive (picks up rotations). */
  refreshIntervalMs?: number;
  /** Unknown-`kid` lookups one client may cause per minute; past it, the timer must catch up. */
  unknownKidLookupsPerClientPerMinute?: number;
  /** Unknown-`kid` lookups all clients together may cause per minute. */
  unknownKidLookupsPerMinute?: number;
  timeoutMs?: number;
  /** Told when a fetch fails; the keys already held stay in use. */
  onError?: (error: unknown) => void;
}

export interface RemoteKeySet {
  /** The key for `kid`, fetching the set again once when it is unknown and the budgets allow. */
  keyFor(kid: string, client?: string): Promise<KeyObject | undefined>;
  /** Stops the refresh timer. */
  close(): void;
}

interface Budget {
  windowStart: number;
  used: number;
}

const MINUTE = 60_000;
/** Bounds the per-client ledger, so a flood from many addresses cannot grow memory without end. */
const MAX_TRACKED_CLIENTS = 10_000;

/**
 * The issuer's JWKS held in memory. Unlike a per-`kid` cache with one global rate limit (which
 * random-`kid` tokens use up, leaving a real rotation unseen), the whole set is refreshed on a
 * timer, and unknown-`kid` lookups are budgeted per client before they count against the global
 * budget: a flood of made-up `kid`s costs its sender only, and a new key is picked up within one
 * refresh interval at worst.
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): RemoteKeySet {
  const refreshIntervalMs = options.refreshIntervalMs ?? 5 * MINUTE;
  const perClient = options.unknownKidLookupsPerClientPerMinute ?? 5;
  const global = options.unknownKidLookupsPerMinute ?? 60;
  let keys = new Map<string, KeyObject>();
  let inFlight: Promise<void> | undefined;
  const clients = new Map<string, Budget>();
  const globalBudget: Budget = { windowStart: 0, used: 0 };

  const get = () =>
    fetch(options.url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      headers: { accept: "application/json" },
    });
  const fetchSet = async (): Promise<void> => {
    // Fetches are minutes apart: a kept-alive socket the issuer has closed meanwhile fails the
    // first try, and one more on a fresh connection settles it.
    const response = await get().catch(get);
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = (await response.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    const next = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (typeof jwk.kid !== "string" || (jwk.use !== undefined && jwk.use !== "sig")) continue;
      try {
        next.set(jwk.kid, createPublicKey({ key: jwk, format: "jwk" }));
      } catch {
        // A key this runtime cannot parse is skipped; the others stay usable.
      }
    }
    keys = next;
  };

  // One fetch at a time: concurrent lookups share it.
  const refresh = (): Promise<void> => {
    inFlight ??= fetchSet()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const take = (budget: Budget, limit: number, now: number): boolean => {
    if (now - budget.windowStart >= MINUTE) {
      budget.windowStart = now;
      budget.used = 0;
    }
    if (budget.used >= limit) return false;
    budget.used += 1;
    return true;
  };

  const mayLookUp = (client: string): boolean => {
    const now = Date.now();
    let budget = clients.get(client);
    if (!budget) {
      if (clients.size >= MAX_TRACKED_CLIENTS) clients.clear();
      budget = { windowStart: now, used: 0 };
      clients.set(client, budget);
    }
    return take(budget, perClient, now) && take(globalBudget, global, now);
  };

  let initial: Promise<void> | undefined;
  const timer = setInterval(() => void refresh(), refreshIntervalMs);
  timer.unref();

  return {
    async keyFor(kid, client = "unknown") {
      initial ??= refresh();
      await initial;
      const known = keys.get(kid);
      if (known) return known;
      if (!mayLookUp(client)) return undefined;
      await refresh();
      return keys.get(kid);
    },
    close() {
      clearInterval(timer);
    },
  };
}
