import { randomUUID } from "node:crypto";
import { reservationsCli } from "../src/reservationsCli";
import { startFakeOrderService } from "./fakeOrderService";
import {
  aProduct,
  aReservation,
  availableOf,
  catalogEnv,
  reservationStatus,
  reserve,
  startTestCatalog,
  stockOf,
  type TestCatalog,
} from "./support";

const ORDER_TOKEN = "cli-to-order-token";

let t: TestCatalog;
let orders: Awaited<ReturnType<typeof startFakeOrderService>>;

beforeAll(async () => {
  orders = await startFakeOrderService(ORDER_TOKEN);
  t = await startTestCatalog({ ORDER_SERVICE_URL: orders.url, ORDER_TOKEN });
});

afterAll(async () => {
  await t.close();
  await orders.close();
});

async function run(argv: string[]) {
  const lines: Record<string, unknown>[] = [];
  const env = catalogEnv(t.db, t.issuer, {
    ORDER_SERVICE_URL: orders.url,
    ORDER_TOKEN,
    REDIS_KEY_PREFIX: t.config.REDIS_KEY_PREFIX,
  });
  const code = await reservationsCli(argv, env, (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { code, lines };
}

/** A reservation whose TTL ran out a minute ago and that no event settled. */
async function anExpiredReservation(productId: string, quantity: number): Promise<string> {
  const reservationId = await aReservation(t, productId, quantity);
  await t.sql.query("UPDATE reservations SET expires_at = ? WHERE id = ?", [
    new Date(Date.now() - 60_000),
    reservationId,
  ]);
  return reservationId;
}

describe("reservations CLI", () => {
  it("lists expired reservations, sweep --dry-run counts them without asking the order service, sweep settles them", async () => {
    const product = await aProduct(t, { quantity: 10 });
    const orphan = await anExpiredReservation(product.id, 2);
    const ordered = await anExpiredReservation(product.id, 3);
    const pending = await anExpiredReservation(product.id, 1);
    const fresh = randomUUID();
    expect((await reserve(t, fresh, [{ productId: product.id, quantity: 1 }])).status).toBe(201);
    orders.setState(ordered, "ORDER_EXISTS");
    orders.setState(pending, "PENDING");
    // Warm the product cache: the sweep must invalidate it.
    expect(await availableOf(t, product.id)).toBe(3);

    const listed = await run(["list-expired"]);
    expect(listed.code).toBe(0);
    expect(listed.lines.slice(0, -1).map((l) => l.reservationId)).toEqual(
      expect.arrayContaining([orphan, ordered, pending]),
    );
    expect(listed.lines.slice(0, -1).map((l) => l.reservationId)).not.toContain(fresh);
    expect(listed.lines.find((l) => l.reservationId === ordered)).toEqual(
      expect.objectContaining({ units: 3, lines: 1 }),
    );
    expect(listed.lines.at(-1)).toEqual({ command: "list-expired", expired: 3, listed: 3 });

    const dry = await run(["sweep", "--dry-run"]);
    expect(dry).toEqual({ code: 0, lines: [{ command: "sweep", dryRun: true, expired: 3 }] });
    expect(orders.asked).toEqual([]);
    expect(await reservationStatus(t, orphan)).toBe("RESERVED");

    const swept = await run(["sweep"]);
    expect(swept.code).toBe(0);
    expect(swept.lines).toEqual([
      expect.objectContaining({
        command: "sweep",
        dryRun: false,
        confirmed: 1,
        released: 1,
        left: 1,
      }),
    ]);
    expect(await reservationStatus(t, orphan)).toBe("RELEASED");
    expect(await reservationStatus(t, ordered)).toBe("CONFIRMED");
    expect(await reservationStatus(t, pending)).toBe("RESERVED");
    expect(await reservationStatus(t, fresh)).toBe("RESERVED");
    expect((await stockOf(t, product.id)).quantity).toBe(5);
    expect(await availableOf(t, product.id)).toBe(5);
  });

  it("answers 64 and prints nothing on stdout for a bad command line", async () => {
    for (const argv of [[], ["sweep-all"], ["list-expired", "--limit", "0"], ["sweep", "--x"]])
      expect(await run(argv)).toEqual({ code: 64, lines: [] });
  });
});
