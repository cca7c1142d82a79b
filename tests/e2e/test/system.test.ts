import { generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { Webhook } from "standardwebhooks";
import { createPool, rawHttp, waitForKafkaMessage } from "./support";
import { waitFor } from "@app/shared/testing";
import { client, STACK_START_TIMEOUT_MS, startE2eStack, type E2eStack } from "./harness";
import { DEMO_PRODUCTS, seedDemoCatalog } from "../../../scripts/stack/seed";

// The seed's scenarios and the contract, end to end: only the gateway is called over HTTP; the
// database and the topic are read to check what landed, and written only to age an order.

/** A webhook endpoint on this machine that answers 204 and keeps what it got. */
async function startWebhookReceiver() {
  const calls: { headers: Record<string, string>; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      calls.push({ headers, body: Buffer.concat(chunks).toString() });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/orders`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the notifier's keep-alive sockets
      }),
  };
}

describe("the whole system through the gateway", () => {
  let e2e: E2eStack;
  let call: ReturnType<typeof client>;
  let adminToken: string;
  let alice: { id: string; token: string; email: string };
  let bob: { id: string; token: string; email: string };

  async function signUp(email: string) {
    const password = "correct-horse-battery";
    const reg = await call("POST", "/api/v1/auth/register", {
      body: { email, password, name: email.split("@")[0] },
    });
    expect(reg.status).toBe(201);
    const login = await call("POST", "/api/v1/auth/login", { body: { email, password } });
    expect(login.status).toBe(200);
    return { id: reg.body.id as string, token: login.body.accessToken as string, email };
  }

  async function createProduct(quantity: number, price = 1000) {
    const res = await call("POST", "/api/v1/products", {
      token: adminToken,
      body: {
        sku: `SKU-${randomUUID().slice(0, 8)}`,
        name: "E2E product",
        price,
        currency: "EUR",
        initialQuantity: quantity,
      },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; availableQuantity: number };
  }

  const product = async (id: string) => (await call("GET", `/api/v1/products/${id}`)).body;

  const placeOrder = (
    token: string,
    key: string,
    items: { productId: string; quantity: number }[],
  ) =>
    call("POST", "/api/v1/orders", { token, headers: { "Idempotency-Key": key }, body: { items } });

  beforeAll(async () => {
    // The webhook receiver of the notification test runs on this machine.
    e2e = await startE2eStack({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" });
    call = client(e2e.gateway);
    const login = await call("POST", "/api/v1/auth/login", {
      body: { email: e2e.admin.email, password: e2e.admin.password },
    });
    expect(login.status).toBe(200);
    adminToken = login.body.accessToken;
    alice = await signUp(`alice-${randomUUID().slice(0, 6)}@example.com`);
    bob = await signUp(`bob-${randomUUID().slice(0, 6)}@example.com`);
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await e2e?.stop();
  });

  // A request the order service's HTTP parser refuses (a control character in a header, which
  // nginx passes on) came back 400 with no request id, or, on a kept-alive upstream connection,
  // was dropped: nginx answered 503 SERVICE_UNAVAILABLE with Retry-After, and the documented
  // reading of a 503 is "retry the same key".
  test("a request a service cannot parse is 400 BAD_REQUEST with its request id, never a 503", async () => {
    for (let i = 0; i < 6; i++) {
      // Ordinary calls between, so the gateway's upstream connections are kept alive and reused.
      expect((await call("GET", "/api/v1/orders", { token: alice.token })).status).toBe(200);
      const res = await rawHttp(
        e2e.gateway,
        "POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\n" +
          `Authorization: Bearer ${alice.token}\r\nX-Request-Id: unreadable-${i}\r\n` +
          "Idempotency-Key: a\x7fb\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
      );
      expect({ i, status: res.head.slice(0, 12) }).toEqual({ i, status: "HTTP/1.1 400" });
      expect(res.head).toMatch(new RegExp(`\r\nX-Request-Id: unreadable-${i}\r\n`, "i"));
      expect(JSON.parse(res.body)).toMatchObject({
        status: 400,
        code: "BAD_REQUEST",
        requestId: `unreadable-${i}`,
      });
    }
  });

  test("registration, login and me work through the gateway; a duplicate email in another case is 409", async () => {
    const email = `Carol-${randomUUID().slice(0, 6)}@Example.com`;
    const carol = await signUp(email);
    const me = await call("GET", "/api/v1/auth/me", { token: carol.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: carol.id, role: "CUSTOMER" });
    expect(me.body.email.toLowerCase()).toBe(email.toLowerCase());
    const again = await call("POST", "/api/v1/auth/register", {
      body: { email: email.toUpperCase(), password: "another-password" },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("EMAIL_TAKEN");
    const jwks = await call("GET", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: "RSA", kid: expect.any(String) });
  });

  test("the demo catalog is seeded at start, and seeding again adds nothing", async () => {
    expect(e2e.seeded).toEqual({ created: DEMO_PRODUCTS.length, existing: 0 });
    expect(await seedDemoCatalog(e2e.gateway, adminToken)).toEqual({
      created: 0,
      existing: DEMO_PRODUCTS.length,
    });
    const list = await call("GET", "/api/v1/products?limit=100");
    const skus = (list.body.items as { sku: string }[])
      .map((p) => p.sku)
      .filter((sku) => sku.startsWith("DEMO-"));
    expect(skus.sort()).toEqual(DEMO_PRODUCTS.map((p) => p.sku).sort());
  });

  test("only an admin creates products; the demo-style catalog is public", async () => {
    const denied = await call("POST", "/api/v1/products", {
      token: alice.token,
      body: { sku: "X-1", name: "x", price: 1, currency: "EUR", initialQuantity: 1 },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("FORBIDDEN");
    const created = await createProduct(3);
    const list = await call("GET", "/api/v1/products?limit=100");
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(created.id);
  });

  test("seed 1: the same Idempotency-Key twice gives one order, one decrement, and a replayed answer", async () => {
    const p = await createProduct(10);
    const key = randomUUID();
    const first = await placeOrder(alice.token, key, [{ productId: p.id, quantity: 2 }]);
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/api/v1/orders/${first.body.id}`);
    const second = await placeOrder(alice.token, key, [{ productId: p.id, quantity: 2 }]);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect((await product(p.id)).availableQuantity).toBe(8);
    const mine = await call("GET", "/api/v1/orders?limit=100", { token: alice.token });
    expect(mine.body.items.filter((o: { id: string }) => o.id === first.body.id)).toHaveLength(1);
  });

  test("seed 2: 10 concurrent orders against 5 units give 5 created, 5 OUT_OF_STOCK, stock 0", async () => {
    const p = await createProduct(5);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        placeOrder(bob.token, randomUUID(), [{ productId: p.id, quantity: 1 }]),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409))
      expect(r.body.code).toBe("OUT_OF_STOCK");
    expect((await product(p.id)).availableQuantity).toBe(0);
  });

  test("an order's notification arrives, as one email in the local inbox and one signed webhook call; seed 3: the same Kafka record produced again yields no second notification, email or call", async () => {
    const receiver = await startWebhookReceiver();
    // Closed however the test ends: a listening receiver would keep jest from exiting.
    try {
      const endpoint = await call("POST", "/api/v1/notifications/webhook-endpoints", {
        token: adminToken,
        body: { url: receiver.url, eventTypes: ["ORDER_CREATED"] },
      });
      expect(endpoint.status).toBe(201);
      const p = await createProduct(5);
      const order = await placeOrder(alice.token, randomUUID(), [{ productId: p.id, quantity: 1 }]);
      expect(order.status).toBe(201);
      const notificationsOf = async (orderId: string) =>
        (
          (await call("GET", "/api/v1/notifications?limit=100", { token: alice.token })).body
            .items as { orderId: string; type: string; eventId: string }[]
        ).filter((n) => n.orderId === orderId);
      const [created] = await waitFor(
        async () => {
          const list = await notificationsOf(order.body.id);
          return list.length === 1 ? list : undefined;
        },
        { timeoutMs: 30_000, what: "the ORDER_CREATED notification" },
      );
      expect(created).toMatchObject({ type: "ORDER_CREATED", orderId: order.body.id });

      // Produce the very record the relay published once more onto the topic.
      const original = await waitForKafkaMessage(
        e2e.kafka,
        e2e.topic,
        (m) => m.headers["event-id"] === created!.eventId,
      );
      const producer = await e2e.kafka.producer();
      await producer.send(e2e.topic, [
        {
          key: original.key!,
          value: original.value!.toString(),
          headers: original.headers as Record<string, string>,
        },
      ]);
      await producer.disconnect();
      // A later event of the same order (same key, same partition) is consumed after the duplicate.
      expect(
        (await call("POST", `/api/v1/orders/${order.body.id}/cancel`, { token: alice.token }))
          .status,
      ).toBe(200);
      await waitFor(
        async () =>
          (await notificationsOf(order.body.id)).some((n) => n.type === "ORDER_CANCELLED"),
        { timeoutMs: 30_000, what: "the ORDER_CANCELLED notification" },
      );
      const all = await notificationsOf(order.body.id);
      expect(all.filter((n) => n.type === "ORDER_CREATED")).toHaveLength(1);

      // The cancellation's email arrived, so the created one (sent first) is in the inbox too.
      const inbox = e2e.stack.mailInbox!;
      const mailOf = (eventId: string) =>
        inbox.messages.filter((m) => m.messageId?.startsWith(`<${eventId}@`));
      const cancelled = all.find((n) => n.type === "ORDER_CANCELLED")!;
      await waitFor(() => mailOf(cancelled.eventId).length === 1, {
        timeoutMs: 30_000,
        what: "the cancellation email",
      });
      const mails = mailOf(created!.eventId);
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({
        to: [alice.email],
        subject: expect.stringMatching(/placed$/),
      });
      expect(mails[0]!.text).toContain(`Order: ${order.body.id}`);
      // The endpoint hears every customer's ORDER_CREATED (other tests place orders meanwhile):
      // this order's event arrives once, and no event arrives twice.
      const callsOf = (orderId: string) =>
        receiver.calls.filter(
          (c) => (JSON.parse(c.body) as { data: { orderId: string } }).data.orderId === orderId,
        );
      const calls = await waitFor(
        () => (callsOf(order.body.id).length >= 1 ? callsOf(order.body.id) : undefined),
        { timeoutMs: 30_000, what: "the webhook call" },
      );
      expect(calls).toHaveLength(1);
      const ids = receiver.calls.map((c) => c.headers["webhook-id"]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(calls[0]!.headers["webhook-id"]).toBe(created!.eventId);
      expect(
        new Webhook(endpoint.body.secret as string).verify(calls[0]!.body, calls[0]!.headers),
      ).toMatchObject({ type: "ORDER_CREATED", data: { orderId: order.body.id } });
      await call("POST", `/api/v1/notifications/webhook-endpoints/${endpoint.body.id}/disable`, {
        token: adminToken,
      });
    } finally {
      await receiver.close();
    }
  });

  test("cancelling returns the stock exactly once; cancelling again changes nothing", async () => {
    const p = await createProduct(4);
    const order = await placeOrder(alice.token, randomUUID(), [{ productId: p.id, quantity: 3 }]);
    expect(order.status).toBe(201);
    expect((await product(p.id)).availableQuantity).toBe(1);
    const cancel = await call("POST", `/api/v1/orders/${order.body.id}/cancel`, {
      token: alice.token,
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe("CANCELLED");
    await waitFor(async () => (await product(p.id)).availableQuantity === 4, {
      timeoutMs: 30_000,
      what: "stock back after cancel",
    });
    const again = await call("POST", `/api/v1/orders/${order.body.id}/cancel`, {
      token: alice.token,
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("CANCELLED");
    // Every event this order produced (a second cancel would have added one) is published and
    // handled by the catalog; only then is the stock checked for a second release.
    const orders = createPool(e2e.databaseUrl("orders"), { connectionLimit: 1 });
    const catalog = createPool(e2e.databaseUrl("catalog"), { connectionLimit: 1 });
    try {
      const events: { event_id: string; event_type: string; status: string }[] = await orders.query(
        "SELECT event_id, event_type, status FROM outbox_events WHERE aggregate_id = ? ORDER BY id",
        [order.body.id],
      );
      expect(events.map((e) => e.event_type)).toEqual(["ORDER_CREATED", "ORDER_CANCELLED"]);
      const ids = events.map((e) => e.event_id);
      await waitFor(
        async () => {
          const handled: unknown[] = await catalog.query(
            "SELECT event_id FROM processed_events WHERE event_id IN (?, ?)",
            ids,
          );
          return handled.length === ids.length;
        },
        { timeoutMs: 30_000, what: "the catalog to handle every event of the order" },
      );
    } finally {
      await orders.end();
      await catalog.end();
    }
    expect((await product(p.id)).availableQuantity).toBe(4);
  });

  test("an admin completes an order; a completed order cannot be cancelled; a customer cannot complete", async () => {
    const p = await createProduct(2);
    const order = await placeOrder(bob.token, randomUUID(), [{ productId: p.id, quantity: 1 }]);
    expect(
      (await call("POST", `/api/v1/orders/${order.body.id}/complete`, { token: bob.token })).status,
    ).toBe(403);
    const done = await call("POST", `/api/v1/orders/${order.body.id}/complete`, {
      token: adminToken,
    });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe("COMPLETED");
    const cancel = await call("POST", `/api/v1/orders/${order.body.id}/cancel`, {
      token: bob.token,
    });
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe("ORDER_NOT_CANCELLABLE");
  });

  test("an archived order is still readable by its owner through the gateway", async () => {
    const p = await createProduct(2);
    const order = await placeOrder(bob.token, randomUUID(), [{ productId: p.id, quantity: 1 }]);
    expect(
      (await call("POST", `/api/v1/orders/${order.body.id}/complete`, { token: adminToken }))
        .status,
    ).toBe(200);
    // Time travel: the order completed 40 days ago.
    const pool = createPool(e2e.databaseUrl("orders"), { connectionLimit: 1 });
    await pool.query("UPDATE orders SET updated_at = NOW(3) - INTERVAL 40 DAY WHERE id = ?", [
      order.body.id,
    ]);
    await pool.end();
    const run = await e2e.runArchiver();
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").pop()!);
    expect(summary.archived).toBeGreaterThanOrEqual(1);
    const read = await call("GET", `/api/v1/orders/${order.body.id}`, { token: bob.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: order.body.id,
      status: "COMPLETED",
      items: [expect.objectContaining({ productId: p.id, quantity: 1 })],
    });
  });

  test("forged, expired and foreign tokens are rejected with 401 UNAUTHENTICATED", async () => {
    const claims = {
      sub: alice.id,
      role: "ADMIN",
      iss: "product-ordering-auth",
      aud: "product-ordering",
      jti: randomUUID(),
    };
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const [header, , signature] = alice.token.split(".");
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const exp = Math.floor(Date.now() / 1000) + 600;
    const forged = [
      `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, exp })}.`,
      jwt.sign(claims, "guessed-secret", { algorithm: "HS256", expiresIn: 600 }),
      jwt.sign(claims, privateKey, {
        algorithm: "RS256",
        expiresIn: 600,
        keyid: JSON.parse(Buffer.from(header!, "base64url").toString()).kid,
      }),
      `${header}.${b64({ ...claims, exp })}.${signature}`,
      jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, privateKey, {
        algorithm: "RS256",
      }),
      "not-a-jwt",
    ];
    for (const token of forged) {
      const res = await call("GET", "/api/v1/orders", { token });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("UNAUTHENTICATED");
    }
    expect((await call("GET", "/api/v1/orders")).status).toBe(401);
  });

  test("the contract's error codes come back as problem+json", async () => {
    const p = await createProduct(3);
    const noKey = await call("POST", "/api/v1/orders", {
      token: alice.token,
      body: { items: [{ productId: p.id, quantity: 1 }] },
    });
    expect([noKey.status, noKey.body.code]).toEqual([400, "IDEMPOTENCY_KEY_MISSING"]);
    expect(noKey.headers.get("content-type")).toMatch(/^application\/problem\+json/);

    const key = randomUUID();
    expect((await placeOrder(alice.token, key, [{ productId: p.id, quantity: 1 }])).status).toBe(
      201,
    );
    const reused = await placeOrder(alice.token, key, [{ productId: p.id, quantity: 2 }]);
    expect([reused.status, reused.body.code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);

    const unknown = await placeOrder(alice.token, randomUUID(), [
      { productId: randomUUID(), quantity: 1 },
    ]);
    expect([unknown.status, unknown.body.code]).toEqual([422, "PRODUCT_NOT_FOUND"]);

    const pricey = await createProduct(5, 900_000);
    const declined = await placeOrder(alice.token, randomUUID(), [
      { productId: pricey.id, quantity: 2 },
    ]);
    expect([declined.status, declined.body.code]).toEqual([402, "PAYMENT_DECLINED"]);
    expect((await product(pricey.id)).availableQuantity).toBe(5);

    const invalid = await placeOrder(alice.token, randomUUID(), [{ productId: p.id, quantity: 0 }]);
    expect([invalid.status, invalid.body.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(invalid.body.errors.length).toBeGreaterThan(0);

    const order = await placeOrder(alice.token, randomUUID(), [{ productId: p.id, quantity: 1 }]);
    const foreign = await call("GET", `/api/v1/orders/${order.body.id}`, { token: bob.token });
    expect([foreign.status, foreign.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);

    const missing = await call("GET", `/api/v1/products/${randomUUID()}`);
    expect([missing.status, missing.body.code]).toEqual([404, "PRODUCT_NOT_FOUND"]);

    const badLogin = await call("POST", "/api/v1/auth/login", {
      body: { email: "nobody@example.com", password: "whatever-1" },
    });
    expect([badLogin.status, badLogin.body.code]).toEqual([401, "INVALID_CREDENTIALS"]);

    const malformed = await call("POST", "/api/v1/auth/register", { body: '{"email": ' });
    expect([malformed.status, malformed.headers.get("content-type")?.split(";")[0]]).toEqual([
      400,
      "application/problem+json",
    ]);

    for (const path of [
      "/internal/v1/reservations",
      "/internal/v1/reservations/x/order",
      "/internal/v1/reservations/x/abandon",
    ]) {
      const internal = await call("POST", path, { body: {} });
      expect(internal.status).toBe(404);
    }
    expect((await call("GET", "/nowhere")).status).toBe(404);
  });

  test("the nginx gateway passes the caller's request id to the service and on into the order's event; refuses an oversized body itself", async () => {
    const requestId = `e2e-${randomUUID()}`;
    const listed = await call("GET", "/api/v1/products", {
      headers: { "x-request-id": requestId },
    });
    expect(listed.status).toBe(200);
    // One header, the caller's: nginx does not add a second one to a service's answer.
    expect(listed.headers.get("x-request-id")).toBe(requestId);
    const generated = (await call("GET", "/api/v1/products")).headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f]{32}$/);

    const p = await createProduct(2);
    const placed = await call("POST", "/api/v1/orders", {
      token: alice.token,
      headers: { "Idempotency-Key": randomUUID(), "x-request-id": requestId },
      body: { items: [{ productId: p.id, quantity: 1 }] },
    });
    expect(placed.status).toBe(201);
    const event = await waitForKafkaMessage(
      e2e.kafka,
      e2e.topic,
      (m) => m.key === placed.body.id && m.headers["event-type"] === "ORDER_CREATED",
    );
    expect(event.headers["x-request-id"]).toBe(requestId);

    const oversized = await call("POST", "/api/v1/orders", {
      token: alice.token,
      headers: { "Idempotency-Key": randomUUID(), "x-request-id": requestId },
      body: { items: [{ productId: p.id, quantity: 1 }], pad: "x".repeat(1024 * 1024) },
    });
    expect(oversized.status).toBe(413);
    expect(oversized.headers.get("content-type")).toBe("application/problem+json");
    expect(oversized.body).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE", requestId });
    expect((await product(p.id)).availableQuantity).toBe(1);
  });

  // Last in the file: these leave this machine's address throttled for the rest of the window.
  describe("with this client's logins throttled", () => {
    test("30 failed logins, each forging a different X-Forwarded-For, still meet 429 after the per-client limit", async () => {
      const answers = [];
      for (let i = 0; i < 30; i++)
        answers.push(
          await call("POST", "/api/v1/auth/login", {
            body: {
              email: `forger-${i}-${randomUUID().slice(0, 6)}@example.com`,
              password: "x-wrong-1",
            },
            headers: { "X-Forwarded-For": `198.51.100.${i + 1}` },
          }),
        );

      // Earlier tests in this file failed a login or two from this address too, so the 20
      // failures the client may have (LOGIN_MAX_FAILURES_PER_CLIENT) run out a little sooner.
      const statuses = answers.map((a) => a.status);
      const firstRefused = statuses.indexOf(429);
      expect(firstRefused).toBeGreaterThan(0);
      expect(firstRefused).toBeLessThanOrEqual(20);
      expect(statuses.slice(0, firstRefused).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(firstRefused).every((s) => s === 429)).toBe(true);
      const refused = answers.find((a) => a.status === 429)!;
      expect(refused.body).toMatchObject({ status: 429, code: "TOO_MANY_ATTEMPTS" });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    });

    test("the stack's seed still signs in and seeds while the public login refuses this client", async () => {
      const login = await call("POST", "/api/v1/auth/login", {
        body: { email: e2e.admin.email, password: e2e.admin.password },
      });
      expect(login.status).toBe(429);

      expect(await seedDemoCatalog(e2e.gateway, await e2e.stack.adminToken())).toEqual({
        created: 0,
        existing: DEMO_PRODUCTS.length,
      });
    });
  });
});
