import { randomUUID } from "node:crypto";
import { startTestNotifier, type TestNotifier } from "./support";

let t: TestNotifier;
const BASE = "/api/v1/notifications/webhook-endpoints";

beforeAll(async () => {
  // As in production: public https URLs only.
  t = await startTestNotifier({
    CONSUMER_ENABLED: "false",
    DELIVERY_WORKER_ENABLED: "false",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "false",
  });
});

afterAll(async () => {
  await t.close();
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    body: (await response.json()) as Record<string, unknown> & {
      items?: Record<string, unknown>[];
    },
  };
}

const admin = () => t.issuer.tokenFor({ role: "ADMIN" });
// A public address literal: no DNS needed, and nothing is ever sent in this file.
const PUBLIC_URL = "https://93.184.215.14/hooks/orders";

describe("webhook endpoints (ADMIN)", () => {
  it("registers an endpoint with a Standard Webhooks secret shown once, lists it without the secret, rotates, disables and enables it", async () => {
    const created = await call("POST", BASE, admin(), {
      url: PUBLIC_URL,
      eventTypes: ["ORDER_CREATED", "ORDER_CANCELLED"],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url: PUBLIC_URL,
      eventTypes: ["ORDER_CANCELLED", "ORDER_CREATED"],
      status: "ENABLED",
      disabledReason: null,
      failingSince: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const id = created.body.id as string;
    expect(created.location).toBe(`${BASE}/${id}`);

    const list = await call("GET", BASE, admin());
    expect(list.status).toBe(200);
    const listed = list.body.items!.find((e) => e.id === id);
    expect(listed).toMatchObject({ url: PUBLIC_URL, status: "ENABLED" });
    expect(listed).not.toHaveProperty("secret");

    const rotated = await call("POST", `${BASE}/${id}/rotate-secret`, admin());
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    const disabled = await call("POST", `${BASE}/${id}/disable`, admin());
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({
      status: "DISABLED",
      disabledReason: "disabled by an administrator",
    });
    expect(disabled.body).not.toHaveProperty("secret");

    const enabled = await call("POST", `${BASE}/${id}/enable`, admin());
    expect(enabled.body).toMatchObject({ status: "ENABLED", disabledReason: null });
  });

  it("pages the list newest first with an opaque cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await call("POST", BASE, admin(), { url: PUBLIC_URL, eventTypes: ["ORDER_CREATED"] })).body
          .id as string,
      );
    const first = await call("GET", `${BASE}?limit=2`, admin());
    expect(first.body.items!.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const second = await call(
      "GET",
      `${BASE}?limit=2&cursor=${encodeURIComponent(first.body.nextCursor as string)}`,
      admin(),
    );
    expect(second.body.items![0]!.id).toBe(ids[0]);
  });

  it.each([
    ["http://93.184.215.14/hook", /scheme must be https/],
    ["https://127.0.0.1/hook", /non-public address \(127\.0\.0\.1\)/],
    ["https://localhost/hook", /non-public address/],
    ["https://10.1.2.3/hook", /non-public address/],
    ["https://192.168.0.10/hook", /non-public address/],
    ["https://169.254.169.254/latest/meta-data", /non-public address/],
    ["https://[::1]/hook", /non-public address/],
    ["https://[fd00::1]/hook", /non-public address/],
    ["https://user:pass@93.184.215.14/hook", /credentials/],
  ])("refuses %s with 422 WEBHOOK_URL_NOT_ALLOWED (SSRF)", async (url, reason) => {
    const res = await call("POST", BASE, admin(), { url, eventTypes: ["ORDER_CREATED"] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "WEBHOOK_URL_NOT_ALLOWED", status: 422 });
    expect(res.body.detail).toMatch(reason);
  });

  it.each([
    [{ url: PUBLIC_URL }, "eventTypes"],
    [{ url: PUBLIC_URL, eventTypes: [] }, "eventTypes"],
    [{ url: PUBLIC_URL, eventTypes: ["ORDER_SHIPPED"] }, "eventTypes.0"],
    [{ eventTypes: ["ORDER_CREATED"] }, "url"],
  ])("answers 400 VALIDATION_FAILED for %j", async (body, path) => {
    const res = await call("POST", BASE, admin(), body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path }] });
  });

  it("answers 401 without a token and 403 FORBIDDEN to a customer, on every route", async () => {
    const customer = t.issuer.tokenFor({});
    const id = randomUUID();
    const routes: [string, string][] = [
      ["POST", BASE],
      ["GET", BASE],
      ["POST", `${BASE}/${id}/disable`],
      ["POST", `${BASE}/${id}/enable`],
      ["POST", `${BASE}/${id}/rotate-secret`],
    ];
    for (const [method, path] of routes) {
      const body =
        method === "POST" && path === BASE
          ? { url: PUBLIC_URL, eventTypes: ["ORDER_CREATED"] }
          : undefined;
      expect((await call(method, path, undefined, body)).status).toBe(401);
      const forbidden = await call(method, path, customer, body);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("answers 404 WEBHOOK_ENDPOINT_NOT_FOUND for an unknown id and 400 for an id that is not a UUID", async () => {
    for (const action of ["disable", "enable", "rotate-secret"]) {
      const missing = await call("POST", `${BASE}/${randomUUID()}/${action}`, admin());
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: "WEBHOOK_ENDPOINT_NOT_FOUND" });
      const bad = await call("POST", `${BASE}/not-a-uuid/${action}`, admin());
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: "id" }] });
    }
  });
});

describe("notification preferences", () => {
  const PATH = "/api/v1/notifications/preferences";

  it("starts with email on, and keeps what the customer puts", async () => {
    const token = t.issuer.tokenFor({ userId: randomUUID() });
    expect(await call("GET", PATH, token)).toMatchObject({
      status: 200,
      body: { email: true, updatedAt: null },
    });
    const put = await call("PUT", PATH, token, { email: false });
    expect(put).toMatchObject({ status: 200, body: { email: false } });
    expect((await call("GET", PATH, token)).body).toEqual(put.body);
  });

  it.each([[{}], [{ email: "no" }], [{ email: false, sms: true }]])(
    "answers 400 VALIDATION_FAILED for %j",
    async (body) => {
      const res = await call("PUT", PATH, t.issuer.tokenFor({}), body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "VALIDATION_FAILED" });
    },
  );

  it("answers 401 without a token", async () => {
    expect((await call("GET", PATH)).status).toBe(401);
    expect((await call("PUT", PATH, undefined, { email: false })).status).toBe(401);
  });
});
