import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import puppeteer, { type Browser } from "puppeteer-core";
import { testServers, waitFor } from "@app/shared/testing";
import { OPENAPI_FILE } from "../../../scripts/docs/openapi";
import { REPO } from "../../../scripts/stack/stack";
import { client, STACK_START_TIMEOUT_MS, startE2eStack, type E2eStack } from "./harness";
import { createPool, waitForKafkaMessage } from "./support";

/** Runs one of the images' operator commands (`node dist/...`) against the running stack. */
async function operatorCli(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  let stdout: string;
  let code = 0;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, script), ...args], {
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
    }));
  } catch (error) {
    const e = error as { stdout?: string; code?: number };
    stdout = e.stdout ?? "";
    code = e.code ?? 1;
  }
  const lines = stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines };
}

/** Local addresses (hex, as the kernel writes them) of the TCP sockets listening on `port`. */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== "0A") continue; // 0A: LISTEN
      const [address, hexPort] = local.split(":");
      if (parseInt(hexPort!, 16) === port) addresses.push(address!);
    }
  }
  return addresses;
}

const LOOPBACK = new Set(["0100007F", "00000000000000000000000001000000"]); // 127.0.0.1, ::1

describe("API docs and operator tools against the running stack", () => {
  let e2e: E2eStack;
  let call: ReturnType<typeof client>;
  let adminToken: string;

  beforeAll(async () => {
    // The operator's sweep is the only one: the catalog's own loop would race it for the same rows.
    e2e = await startE2eStack({ SWEEPER_ENABLED: "false" });
    call = client(e2e.gateway);
    const login = await call("POST", "/api/v1/auth/login", {
      body: { email: e2e.admin.email, password: e2e.admin.password },
    });
    adminToken = login.body.accessToken;
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await e2e?.stop();
  });

  // npm start's services listened on every interface: anyone on the machine's network could call
  // their /internal routes with the published internal token, past the gateway.
  it("keeps the services and the gateway to loopback: only this machine reaches them", () => {
    const ports = [
      ...Object.values(e2e.stack.services).map((s) => Number(new URL(s.url).port)),
      Number(new URL(e2e.gateway).port),
    ];
    expect(ports).toHaveLength(6);
    for (const port of ports) {
      const addresses = listeningAddresses(port);
      expect([port, addresses.length > 0]).toEqual([port, true]);
      expect([port, addresses.filter((a) => !LOOPBACK.has(a))]).toEqual([port, []]);
    }
  });

  // npm start's stack allowed any webhook URL: an admin (whose password the repository
  // publishes) could point the notifier at cloud metadata or the host's own ports.
  it("refuses webhook URLs to this machine, private or link-local addresses and plain http, as production does", async () => {
    const refused = [
      "https://169.254.169.254/latest/meta-data/",
      "https://127.0.0.1:3001/internal/v1/users",
      "https://[::1]/hook",
      "https://10.0.0.5/hook",
      "https://0x7f000001/hook",
      "http://example.com/hook",
    ];
    for (const url of refused) {
      const res = await call("POST", "/api/v1/notifications/webhook-endpoints", {
        token: adminToken,
        body: { url, eventTypes: ["ORDER_CREATED"] },
      });
      expect([url, res.status, res.body.code]).toEqual([url, 422, "WEBHOOK_URL_NOT_ALLOWED"]);
    }
    const listed = await call("GET", "/api/v1/notifications/webhook-endpoints", {
      token: adminToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([]);
  });

  describe("the gateway's documentation routes", () => {
    it("GET /api/openapi.json is the committed OpenAPI 3.1 document, without /internal", async () => {
      const res = await fetch(`${e2e.gateway}/api/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const document = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(document).toEqual(JSON.parse(fs.readFileSync(OPENAPI_FILE, "utf8")));
      expect(document.openapi).toBe("3.1.0");
      expect(Object.keys(document.paths).filter((p) => p.startsWith("/internal"))).toEqual([]);
    });

    it("POST /api/openapi.json and other methods are not served (404 problem)", async () => {
      const res = await call("POST", "/api/openapi.json", { body: {} });
      expect(res.status).toBe(404);
      // Not the document's own type: the same problem+json as any unknown path.
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(res.body.code).toBe("NOT_FOUND");
    });

    describe("GET /api/docs in a real headless Chromium", () => {
      let browser: Browser;
      let profile: string;

      beforeAll(async () => {
        const executablePath = execFileSync(
          "bash",
          [path.join(REPO, "scripts/infra/chromium.sh")],
          {
            encoding: "utf8",
          },
        ).trim();
        profile = fs.mkdtempSync(path.join(os.tmpdir(), "api-docs-chromium-"));
        browser = await puppeteer.launch({
          executablePath,
          headless: true,
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            `--user-data-dir=${profile}`,
          ],
        });
      }, 600_000);

      afterAll(async () => {
        await browser?.close();
        if (profile) fs.rmSync(profile, { recursive: true, force: true });
      });

      it("renders every public operation from the gateway's own files (no request leaves the gateway)", async () => {
        const page = await browser.newPage();
        await page.setViewport({ width: 1400, height: 1000 });
        // The page's CSP blocks anything not from the gateway; none may load from elsewhere.
        const foreign: string[] = [];
        page.on("requestfinished", (request) => {
          const url = request.url();
          if (!url.startsWith(e2e.gateway) && !url.startsWith("data:") && !url.startsWith("blob:"))
            foreign.push(url);
        });
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        const response = await page.goto(`${e2e.gateway}/api/docs`, {
          waitUntil: "load",
          timeout: 120_000,
        });
        expect(response?.status()).toBe(200);

        const openapi = JSON.parse(fs.readFileSync(OPENAPI_FILE, "utf8")) as {
          paths: Record<string, Record<string, { summary: string }>>;
        };
        const summaries = Object.values(openapi.paths).flatMap((ops) =>
          Object.values(ops).map((op) => op.summary),
        );
        const text = await waitFor(
          async () => {
            const body = await page.evaluate(
              () =>
                (globalThis as unknown as { document: { body: { innerText: string } } }).document
                  .body.innerText,
            );
            // The introduction (the API's title) may render after the operation list.
            const complete =
              body.includes("Product ordering API") && summaries.every((s) => body.includes(s));
            return complete ? body : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500, what: "every operation listed on /api/docs" },
        );
        expect(text).toContain("Product ordering API");
        expect(errors).toEqual([]);
        expect(foreign).toEqual([]);
        // docs/api-docs.png is such a screenshot (copied from here by hand).
        fs.mkdirSync(path.join(REPO, ".cache"), { recursive: true });
        await page.screenshot({ path: path.join(REPO, ".cache/api-docs.png") });
        await page.close();
      });
    });
  });

  it("compose's demo-seed script seeds the same catalog as npm start (here: already there), and skips when told", async () => {
    const seed = (env: Record<string, string>) =>
      promisify(execFile)("sh", [path.join(REPO, "scripts/stack/demo-seed.sh")], {
        env: {
          ...process.env,
          GATEWAY_URL: e2e.gateway,
          DEMO_CATALOG: path.join(REPO, "scripts/stack/demo-catalog.jsonl"),
          ADMIN_EMAIL: e2e.admin.email,
          ADMIN_PASSWORD: e2e.admin.password,
          ...env,
        },
      });
    const demo = fs.readFileSync(path.join(REPO, "scripts/stack/demo-catalog.jsonl"), "utf8");
    const count = demo.split("\n").filter(Boolean).length;
    expect(e2e.seeded).toEqual({ created: count, existing: 0 });
    expect(JSON.parse((await seed({})).stdout)).toEqual({
      seeded: true,
      created: 0,
      existing: count,
    });
    expect(JSON.parse((await seed({ SEED_DEMO_CATALOG: "false" })).stdout)).toEqual(
      expect.objectContaining({ seeded: false }),
    );
    await expect(seed({ ADMIN_PASSWORD: "wrong-password-1" })).rejects.toThrow(/login failed/);
  });

  describe("operator command lines", () => {
    it("outbox status reports what the relay published; requeue --failed --dry-run finds nothing to do", async () => {
      const product = await call("POST", "/api/v1/products", {
        token: adminToken,
        body: {
          sku: `CLI-${randomUUID().slice(0, 8)}`,
          name: "CLI",
          price: 100,
          currency: "EUR",
          initialQuantity: 5,
        },
      });
      expect(product.status).toBe(201);
      const order = await call("POST", "/api/v1/orders", {
        token: adminToken,
        headers: { "Idempotency-Key": randomUUID() },
        body: { items: [{ productId: product.body.id, quantity: 1 }] },
      });
      expect(order.status).toBe(201);
      const env = { DATABASE_URL: e2e.databaseUrl("orders") };

      const status = await waitFor(
        async () => {
          const run = await operatorCli("services/outbox-relay/dist/outboxCli.js", ["status"], env);
          return (run.lines.at(-1)?.PUBLISHED as number) >= 1 ? run : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: "the order's event published" },
      );
      expect(status.code).toBe(0);
      expect(status.lines.at(-1)).toEqual(
        expect.objectContaining({ command: "status", FAILED: 0 }),
      );

      const requeue = await operatorCli(
        "services/outbox-relay/dist/outboxCli.js",
        ["requeue", "--failed", "--dry-run"],
        env,
      );
      expect(requeue).toEqual({
        code: 0,
        lines: [{ command: "requeue", dryRun: true, matched: 0, requeued: 0 }],
      });
    });

    it("dlq list shows what a consumer dead-lettered, and replay sends it back with its event id", async () => {
      // An ORDER_CREATED without a reservation id: the catalog cannot act on it and dead-letters it.
      const eventId = randomUUID();
      const orderId = randomUUID();
      const producer = await e2e.kafka.producer();
      await producer.send(e2e.topic, [
        {
          key: orderId,
          value: JSON.stringify({
            eventId,
            eventType: "ORDER_CREATED",
            eventVersion: 1,
            occurredAt: new Date().toISOString(),
            aggregateType: "order",
            aggregateId: orderId,
            payload: { userId: randomUUID() },
          }),
          headers: { "event-id": eventId, "event-type": "ORDER_CREATED" },
        },
      ]);
      await producer.disconnect();
      const env = {
        KAFKA_BROKERS: testServers().kafkaBrokers.join(","),
        ORDER_EVENTS_TOPIC: e2e.topic,
        ORDER_EVENTS_DLQ_TOPIC: `${e2e.topic}.dlq`,
      };
      const dlq = "services/outbox-relay/dist/dlqCli.js";

      const listed = await waitFor(
        async () => {
          const run = await operatorCli(dlq, ["list"], env);
          return run.lines.some((l) => l.eventId === eventId) ? run : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000, what: "the poison event on the DLQ" },
      );
      expect(listed.code).toBe(0);
      expect(listed.lines.find((l) => l.eventId === eventId)).toEqual(
        expect.objectContaining({ key: orderId, errorType: "PermanentEventError" }),
      );

      const replay = await operatorCli(dlq, ["replay", "--event-id", eventId], env);
      expect(replay.code).toBe(0);
      expect(replay.lines.at(-1)).toEqual(
        expect.objectContaining({
          command: "replay",
          dryRun: false,
          topics: { [e2e.topic]: replay.lines.at(-1)!.matched },
        }),
      );
      expect(replay.lines.at(-1)!.replayed).toBeGreaterThanOrEqual(1);
      const again = await waitForKafkaMessage(
        e2e.kafka,
        e2e.topic,
        (m) => m.headers["event-id"] === eventId && Boolean(m.headers["dlq-replayed-from"]),
      );
      expect(JSON.parse(again.value!.toString()).eventId).toBe(eventId);
      expect(again.key).toBe(orderId);
    });

    it("reservations list-expired and sweep give back the stock of a reservation no order holds", async () => {
      const product = await call("POST", "/api/v1/products", {
        token: adminToken,
        body: {
          sku: `RSV-${randomUUID().slice(0, 8)}`,
          name: "Held",
          price: 100,
          currency: "EUR",
          initialQuantity: 5,
        },
      });
      const productId = product.body.id as string;
      // A reservation the order service never turned into an order, already past its TTL.
      const catalog = createPool(e2e.databaseUrl("catalog"), { connectionLimit: 1 });
      const reservationId = randomUUID();
      try {
        const reserved = await fetch(
          `${e2e.stack.services.catalog!.url}/internal/v1/reservations`,
          {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: "Bearer local-internal-token",
            },
            body: JSON.stringify({ reservationId, items: [{ productId, quantity: 2 }] }),
          },
        );
        expect(reserved.status).toBe(201);
        await catalog.query("UPDATE reservations SET expires_at = ? WHERE id = ?", [
          new Date(Date.now() - 60_000),
          reservationId,
        ]);
      } finally {
        await catalog.end();
      }
      const env = {
        DATABASE_URL: e2e.databaseUrl("catalog"),
        ORDER_SERVICE_URL: e2e.stack.services.order!.url,
        REDIS_URL: testServers().redisUrl,
        REDIS_KEY_PREFIX: `${e2e.redisPrefix}catalog:`,
      };
      const cli = "services/catalog/dist/reservationsCli.js";

      const listed = await operatorCli(cli, ["list-expired"], env);
      expect(listed.lines.filter((l) => l.reservationId === reservationId)).toEqual([
        expect.objectContaining({ units: 2, lines: 1 }),
      ]);
      const dry = await operatorCli(cli, ["sweep", "--dry-run"], env);
      expect(dry.lines).toEqual([{ command: "sweep", dryRun: true, expired: expect.any(Number) }]);
      expect((await call("GET", `/api/v1/products/${productId}`)).body.availableQuantity).toBe(3);

      const swept = await operatorCli(cli, ["sweep"], env);
      expect(swept.code).toBe(0);
      expect(swept.lines.at(-1)).toEqual(
        expect.objectContaining({ command: "sweep", dryRun: false }),
      );
      expect(swept.lines.at(-1)!.released).toBeGreaterThanOrEqual(1);
      expect((await call("GET", `/api/v1/products/${productId}`)).body.availableQuantity).toBe(5);
    });
  });
});
