import { randomUUID } from "node:crypto";
import { waitFor } from "@app/shared/testing";
import { Webhook } from "standardwebhooks";
import {
  anOrderEvent,
  deliveriesOf,
  emailOf,
  mailsOf,
  metricValue,
  notificationCount,
  publish,
  settled,
  startTestNotifier,
  type TestNotifier,
} from "./support";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver";

let t: TestNotifier;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t = await startTestNotifier({ WEBHOOK_TIMEOUT_MS: "3000", DELIVERY_LEASE_SECONDS: "10" });
});

afterAll(async () => {
  await t.close();
  await receiver.close();
});

const admin = () => t.issuer.tokenFor({ role: "ADMIN" });

async function api(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function anEndpoint(t: TestNotifier, url: string, eventTypes = ["ORDER_CREATED"]) {
  const created = await api("POST", "/api/v1/notifications/webhook-endpoints", admin(), {
    url,
    eventTypes,
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

const disable = (id: string) =>
  api("POST", `/api/v1/notifications/webhook-endpoints/${id}/disable`, admin());

describe("deliveries", () => {
  it("emails the customer once with text and HTML bodies and a Message-ID from the event id, and calls the endpoint once, signed; a replayed record sends nothing more", async () => {
    const endpoint = await anEndpoint(t, receiver.url("/ok/first"));
    const userId = randomUUID();
    const event = anOrderEvent({ userId });
    await publish(t, event);
    await settled(t, event.eventId);

    const [mail] = mailsOf(t, event.eventId);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
    expect(mail!.to).toEqual([emailOf(userId)]);
    expect(mail!.subject).toBe(`Your order ${event.aggregateId.slice(0, 8)} is placed`);
    expect(mail!.text).toContain(`Order: ${event.aggregateId}`);
    expect(mail!.text).toContain("1 x Blue mug (SKU-1) at 19.99 EUR = 19.99 EUR");
    expect(mail!.text).toContain("Total: 19.99 EUR");
    expect(mail!.html).toContain("<td>Blue mug</td>");
    expect(mail!.html).toContain("<strong>Total: 19.99 EUR</strong>");

    const calls = receiver.callsTo("/ok/first");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers["webhook-id"]).toBe(event.eventId);
    const verified = new Webhook(endpoint.secret).verify(calls[0]!.body, calls[0]!.headers);
    expect(verified).toMatchObject({
      type: "ORDER_CREATED",
      timestamp: event.occurredAt,
      data: { eventId: event.eventId, orderId: event.aggregateId, userId, totalAmount: 1999 },
    });

    // The same Kafka record again, then a marker behind it on the same partition.
    await publish(t, event);
    const marker = anOrderEvent({
      orderId: event.aggregateId,
      userId,
      eventType: "ORDER_COMPLETED",
    });
    await publish(t, marker);
    await settled(t, marker.eventId);
    expect(mailsOf(t, event.eventId)).toHaveLength(1);
    expect(receiver.callsTo("/ok/first")).toHaveLength(1);
    expect(await notificationCount(t, event.eventId)).toBe(1);
    expect(
      await metricValue(t.url, "notifier_deliveries_total", { channel: "email", outcome: "sent" }),
    ).toBeGreaterThanOrEqual(2);
    await disable(endpoint.id);
  });

  it("writes the notification but sends no email to a customer who turned email off", async () => {
    const userId = randomUUID();
    const customer = t.issuer.tokenFor({ userId });
    const put = await api("PUT", "/api/v1/notifications/preferences", customer, { email: false });
    expect(put).toEqual({ status: 200, body: { email: false, updatedAt: expect.any(String) } });
    const event = anOrderEvent({ userId });
    await publish(t, event);
    await waitFor(async () => (await notificationCount(t, event.eventId)) === 1, {
      what: "the notification",
    });
    expect(await deliveriesOf(t, event.eventId)).toEqual([]);

    // Turned on again: the next event is emailed.
    await api("PUT", "/api/v1/notifications/preferences", customer, { email: true });
    const next = anOrderEvent({ userId, orderId: event.aggregateId, eventType: "ORDER_CANCELLED" });
    await publish(t, next);
    await settled(t, next.eventId);
    expect(mailsOf(t, next.eventId)).toHaveLength(1);
    expect(mailsOf(t, event.eventId)).toHaveLength(0);
  });

  it("gives up an email to a user who no longer exists, with the reason", async () => {
    const userId = randomUUID();
    t.users.gone.add(userId);
    const event = anOrderEvent({ userId });
    await publish(t, event);
    expect(await settled(t, event.eventId)).toEqual([
      expect.objectContaining({
        channel: "EMAIL",
        status: "FAILED",
        last_error: "the user no longer exists",
      }),
    ]);
    expect(mailsOf(t, event.eventId)).toHaveLength(0);
  });

  it("looks up the addresses of a claimed batch of emails in one call to auth", async () => {
    // A held lookup keeps the worker on its first claim while the other events' deliveries
    // come due; the next claim then takes them all at once.
    const release = t.users.hold();
    const [firstUser, ...batchUsers] = Array.from({ length: 6 }, (): string => randomUUID());
    const first = anOrderEvent({ userId: firstUser });
    await publish(t, first);
    await waitFor(() => t.users.calls.some((ids) => ids.includes(firstUser!)), {
      what: "the first lookup",
    });
    const batch = batchUsers.map((userId) => anOrderEvent({ userId }));
    for (const event of batch) await publish(t, event);
    await waitFor(
      async () =>
        (await Promise.all(batch.map((e) => deliveriesOf(t, e.eventId)))).every(
          (rows) => rows.length === 1,
        ),
      { what: "the batch's deliveries written" },
    );
    release();
    const users = [firstUser!, ...batchUsers];
    for (const [i, event] of [first, ...batch].entries()) {
      expect(await settled(t, event.eventId)).toEqual([
        expect.objectContaining({ channel: "EMAIL", status: "SENT" }),
      ]);
      expect(mailsOf(t, event.eventId).map((m) => m.to)).toEqual([[emailOf(users[i]!)]]);
    }
    const callsForBatch = t.users.calls.filter((ids) => ids.some((id) => batchUsers.includes(id)));
    expect(callsForBatch.map((ids) => [...ids].sort())).toEqual([[...batchUsers].sort()]);
  });

  it("retries an email whose address lookup got an error page instead of an answer, then sends it", async () => {
    const userId = randomUUID();
    t.users.failNext(1, 502, "<html><body>502 Bad Gateway</body></html>");
    const event = anOrderEvent({ userId });
    await publish(t, event);
    expect(await settled(t, event.eventId)).toEqual([
      expect.objectContaining({
        channel: "EMAIL",
        status: "SENT",
        attempts: 2,
      }),
    ]);
    // Not taken for a user who is gone: asked again, then sent once.
    expect(t.users.calls.filter((ids) => ids.includes(userId))).toHaveLength(2);
    expect(mailsOf(t, event.eventId).map((m) => m.to)).toEqual([[emailOf(userId)]]);
  });

  it("emails a user whose id the event carries in upper case (auth answers it in lower case)", async () => {
    const userId = randomUUID();
    const event = anOrderEvent({ userId: userId.toUpperCase() });
    await publish(t, event);
    expect(await settled(t, event.eventId)).toEqual([
      expect.objectContaining({ channel: "EMAIL", status: "SENT" }),
    ]);
    expect(mailsOf(t, event.eventId).map((m) => m.to)).toEqual([[emailOf(userId)]]);
  });

  it("delivers to a working endpoint while another endpoint hangs past its timeout", async () => {
    const hanging = await anEndpoint(t, receiver.url("/hang/slow"));
    const working = await anEndpoint(t, receiver.url("/ok/beside-slow"));
    const event = anOrderEvent();
    await publish(t, event);
    await waitFor(() => receiver.callsTo("/ok/beside-slow").length === 1, {
      what: "the working endpoint's call",
    });
    await waitFor(
      async () =>
        (await deliveriesOf(t, event.eventId)).find(
          (d) => d.target === working.id && d.status === "SENT",
        ),
      { what: "the working endpoint's delivery marked sent" },
    );
    const slow = (await deliveriesOf(t, event.eventId)).find((d) => d.target === hanging.id);
    expect(slow).toMatchObject({ status: "PENDING" });
    await disable(hanging.id);
    await disable(working.id);
  });
});

describe("failing receivers", () => {
  let dead: TestNotifier;

  beforeAll(async () => {
    // Nothing listens on the SMTP port: the mail server is dead. Endpoints failing 1 s are disabled.
    dead = await startTestNotifier({
      SMTP_PORT: "1",
      WEBHOOK_DISABLE_AFTER_SECONDS: "1",
      WEBHOOK_TIMEOUT_MS: "3000",
      DELIVERY_LEASE_SECONDS: "10",
    });
  });

  afterAll(async () => {
    await dead.close();
  });

  it("keeps retrying emails while the mail server is dead and still delivers the webhook", async () => {
    const created = await fetch(`${dead.url}/api/v1/notifications/webhook-endpoints`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${dead.issuer.tokenFor({ role: "ADMIN" })}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ url: receiver.url("/ok/dead-mail"), eventTypes: ["ORDER_CREATED"] }),
    });
    expect(created.status).toBe(201);
    const event = anOrderEvent();
    await publish(dead, event);
    await waitFor(() => receiver.callsTo("/ok/dead-mail").length === 1, { what: "the webhook" });
    const email = await waitFor(
      async () =>
        (await deliveriesOf(dead, event.eventId)).find(
          (d) => d.channel === "EMAIL" && d.attempts >= 2,
        ),
      { what: "email retried" },
    );
    expect(email).toMatchObject({ status: "PENDING", last_error: expect.any(String) });
    expect(
      await metricValue(dead.url, "notifier_deliveries_total", {
        channel: "email",
        outcome: "retried",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricValue(dead.url, "notifier_delivery_oldest_pending_age_seconds", {
        channel: "email",
      }),
    ).toBeGreaterThan(0);
  });

  it("retries an endpoint answering 500 with the same webhook-id and disables it once it has failed long enough", async () => {
    const admin = dead.issuer.tokenFor({ role: "ADMIN" });
    const created = await fetch(`${dead.url}/api/v1/notifications/webhook-endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url("/fail/always"), eventTypes: ["ORDER_CREATED"] }),
    });
    const endpoint = (await created.json()) as { id: string };
    const event = anOrderEvent();
    await publish(dead, event);
    const delivery = await waitFor(
      async () =>
        (await deliveriesOf(dead, event.eventId)).find(
          (d) => d.target === endpoint.id && d.status === "FAILED",
        ),
      { what: "the failing endpoint's delivery given up", timeoutMs: 30_000 },
    );
    expect(delivery.last_error).toMatch(/endpoint disabled after failing: HTTP 500/);
    const calls = receiver.callsTo("/fail/always");
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(calls.map((c) => c.headers["webhook-id"]))).toEqual(new Set([event.eventId]));
    const list = (await (
      await fetch(`${dead.url}/api/v1/notifications/webhook-endpoints`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as { items: { id: string; status: string; disabledReason: string }[] };
    expect(list.items.find((e) => e.id === endpoint.id)).toMatchObject({
      status: "DISABLED",
      disabledReason: expect.stringMatching(/^failing since .*HTTP 500/),
    });
    expect(await metricValue(dead.url, "notifier_webhook_endpoints_disabled_total")).toBe(1);
  });
});
