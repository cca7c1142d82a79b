import { randomUUID } from "node:crypto";
import { getNotifications, startTestNotifier, type ListAnswer, type TestNotifier } from "./support";

let t: TestNotifier;

beforeAll(async () => {
  t = await startTestNotifier({ CONSUMER_ENABLED: "false" });
});

afterAll(async () => {
  await t.close();
});

/** A stored notification, as the consumer would have written it. */
async function aNotification(userId: string, createdAt: Date, type = "ORDER_CREATED") {
  const row = {
    id: randomUUID(),
    eventId: randomUUID(),
    userId,
    orderId: randomUUID(),
    type,
    message: "Your order was placed.",
    createdAt,
  };
  await t.sql.query(
    "INSERT INTO notifications (id, event_id, user_id, order_id, type, message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [row.id, row.eventId, row.userId, row.orderId, row.type, row.message, row.createdAt],
  );
  return row;
}

describe("GET /api/v1/notifications", () => {
  it("returns only the caller's notifications, newest first, page by page with an opaque cursor", async () => {
    const userId = randomUUID();
    const base = Date.now() - 60_000;
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await aNotification(userId, new Date(base + i * 1000)));
    // Two at the same instant: the id breaks the tie, so no page repeats or loses one.
    mine.push(await aNotification(userId, new Date(base + 4000)));
    await aNotification(randomUUID(), new Date(base + 10_000));
    const token = t.issuer.tokenFor({ userId });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ListAnswer = await getNotifications(
        t,
        token,
        `?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);

    expect(pages).toBe(2);
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(new Set(mine.map((n) => n.id)));
    const expectedOrder = [...mine]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((n) => n.id);
    expect(seen).toEqual(expectedOrder);
  });

  it("answers an empty page with nextCursor null to a user without notifications", async () => {
    const page = await getNotifications(t, t.issuer.tokenFor({}));
    expect(page).toEqual({ status: 200, body: { items: [], nextCursor: null } });
  });

  it("defaults to 20 items per page", async () => {
    const userId = randomUUID();
    for (let i = 0; i < 21; i++) await aNotification(userId, new Date(Date.now() - i * 1000));
    const page = await getNotifications(t, t.issuer.tokenFor({ userId }));
    expect(page.body.items).toHaveLength(20);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it.each([["0"], ["101"], ["abc"], ["2.5"], ["0x10"], ["+5"]])(
    "returns 400 VALIDATION_FAILED for limit=%s",
    async (limit) => {
      const page = await getNotifications(t, t.issuer.tokenFor({}), `?limit=${limit}`);
      expect(page.status).toBe(400);
      expect(page.body).toMatchObject({
        code: "VALIDATION_FAILED",
        status: 400,
        errors: [{ path: "limit" }],
      });
    },
  );

  it("returns 400 VALIDATION_FAILED for a cursor it did not issue", async () => {
    const page = await getNotifications(t, t.issuer.tokenFor({}), "?cursor=not-a-cursor");
    expect(page.status).toBe(400);
    expect(page.body).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: "cursor" }] });
  });

  it("returns 401 UNAUTHENTICATED without a token, with a malformed one and with an expired one", async () => {
    const expired = t.issuer.tokenFor({}, { expiresInSeconds: -60 });
    for (const token of [undefined, "not.a.jwt", expired]) {
      const page = await getNotifications(t, token);
      expect(page.status).toBe(401);
      expect(page.body).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
    }
  });

  it("returns 401 for a token signed by another issuer's key", async () => {
    const other = await startTestNotifier({ CONSUMER_ENABLED: "false" });
    try {
      const page = await getNotifications(t, other.issuer.tokenFor({}));
      expect(page.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("operations", () => {
  it("publishes the route in /openapi.json", async () => {
    const document = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { get?: unknown }>;
    };
    expect(document.openapi).toBe("3.1.0");
    expect(document.paths["/api/v1/notifications"]?.get).toBeDefined();
  });

  it("documents the statuses and headers the routes really send", async () => {
    type Responses = Record<string, { headers?: Record<string, unknown> }>;
    const document = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Responses }>>;
    };
    const responses = (method: string, path: string) => document.paths[path]![method]!.responses;
    const headers = (method: string, path: string, status: number) =>
      Object.keys(responses(method, path)[status]?.headers ?? {});
    const endpoints = "/api/v1/notifications/webhook-endpoints";

    expect(headers("post", endpoints, 201)).toEqual(["Location", "X-Request-Id"]);
    expect(Object.keys(responses("get", "/api/v1/notifications"))).toEqual(
      expect.arrayContaining(["200", "304", "401", "500", "503"]),
    );
    expect(headers("get", "/api/v1/notifications", 401)).toContain("WWW-Authenticate");
    expect(headers("put", "/api/v1/notifications/preferences", 503)).toContain("Retry-After");
    for (const [method, path] of Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => [method, path] as const),
    ))
      for (const status of Object.keys(responses(method, path)))
        expect([method, path, status, headers(method, path, Number(status))]).toEqual([
          method,
          path,
          status,
          expect.arrayContaining(["X-Request-Id"]),
        ]);
  });

  it("answers the health probes and exposes its metrics", async () => {
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain("notifier_events_total");
    expect(metrics).toContain("notifier_duplicate_events_total");
    // Lag is the consumer's, and this notifier runs none.
    expect(metrics).not.toContain("kafka_consumer_lag_messages");
  });
});
