import { waitFor } from "@app/shared/testing";
import { startFakeOrderService } from "./fakeOrderService";
import {
  aProduct,
  aReservation,
  availableOf,
  reservationStatus,
  startTestCatalog,
  stockOf,
  type TestCatalog,
} from "./support";

const ORDER_TOKEN = "catalog-to-order-token";
const TTL_SECONDS = 60;

let t: TestCatalog;
let orders: Awaited<ReturnType<typeof startFakeOrderService>>;

beforeAll(async () => {
  orders = await startFakeOrderService(ORDER_TOKEN);
  t = await startTestCatalog({
    ORDER_SERVICE_URL: orders.url,
    ORDER_TOKEN,
    RESERVATION_TTL_SECONDS: String(TTL_SECONDS),
  });
});

afterAll(async () => {
  await t.close();
  await orders.close();
});

describe("the reservation sweeper", () => {
  it("releases an expired orphan, confirms an expired one whose order exists, and leaves a pending one", async () => {
    const product = await aProduct(t, { quantity: 10 });
    const orphan = await aReservation(t, product.id, 2);
    const ordered = await aReservation(t, product.id, 3);
    const pending = await aReservation(t, product.id, 1);
    orders.setState(ordered, "ORDER_EXISTS");
    orders.setState(pending, "PENDING");
    expect(await availableOf(t, product.id)).toBe(4);

    t.clock.advance((TTL_SECONDS + 1) * 1000);
    const report = await t.catalog.sweepOnce();

    expect(report.released).toContain(orphan);
    expect(report.confirmed).toContain(ordered);
    expect(report.left).toContain(pending);
    expect(await reservationStatus(t, orphan)).toBe("RELEASED");
    expect(await reservationStatus(t, ordered)).toBe("CONFIRMED");
    expect(await reservationStatus(t, pending)).toBe("RESERVED");
    expect((await stockOf(t, product.id)).quantity).toBe(6);
    // The cached read shows the returned units at once.
    expect(await availableOf(t, product.id)).toBe(6);
  });

  it("leaves reservations that have not expired alone and does not ask about them", async () => {
    const product = await aProduct(t, { quantity: 5 });
    const fresh = await aReservation(t, product.id, 1);
    await t.catalog.sweepOnce();
    expect(orders.asked).not.toContain(fresh);
    expect(await reservationStatus(t, fresh)).toBe("RESERVED");
  });

  it("releases nothing twice when two sweeps run at once (as two replicas would)", async () => {
    const product = await aProduct(t, { quantity: 10 });
    const ids = [
      await aReservation(t, product.id, 1),
      await aReservation(t, product.id, 2),
      await aReservation(t, product.id, 3),
    ];
    t.clock.advance((TTL_SECONDS + 1) * 1000);
    const [a, b] = await Promise.all([t.catalog.sweepOnce(), t.catalog.sweepOnce()]);
    const released = [...a.released, ...b.released].filter((id) => ids.includes(id));
    expect(released.sort()).toEqual([...ids].sort());
    expect((await stockOf(t, product.id)).quantity).toBe(10);
  });

  it("waits when the order service cannot be reached, and never releases blind", async () => {
    const product = await aProduct(t, { quantity: 4 });
    const reservationId = await aReservation(t, product.id, 4);
    await t.restart({ ORDER_SERVICE_URL: "http://127.0.0.1:1", ORDER_SERVICE_TIMEOUT_MS: "500" });
    try {
      t.clock.advance((TTL_SECONDS + 1) * 1000);
      const report = await t.catalog.sweepOnce();
      expect(report.left).toContain(reservationId);
      expect(await reservationStatus(t, reservationId)).toBe("RESERVED");
      expect((await stockOf(t, product.id)).quantity).toBe(0);
    } finally {
      await t.restart({ ORDER_SERVICE_URL: orders.url });
    }
  });

  it("runs on its own interval when enabled", async () => {
    const product = await aProduct(t, { quantity: 3 });
    const reservationId = await aReservation(t, product.id, 3);
    t.clock.advance((TTL_SECONDS + 1) * 1000);
    await t.restart({
      ORDER_SERVICE_URL: orders.url,
      SWEEPER_ENABLED: "true",
      SWEEPER_INTERVAL_MS: "50",
    });
    await waitFor(async () => (await reservationStatus(t, reservationId)) === "RELEASED", {
      what: "the sweeper to release",
      timeoutMs: 10_000,
    });
    expect((await stockOf(t, product.id)).quantity).toBe(3);
  });
});
