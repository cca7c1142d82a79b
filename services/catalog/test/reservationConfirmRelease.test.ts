import { randomUUID } from "node:crypto";
import {
  aProduct,
  aReservation,
  availableOf,
  call,
  catalogForFile,
  INTERNAL_TOKEN,
  reservationStatus,
  stockOf,
} from "./support";

const t = catalogForFile();

/** POST /internal/v1/reservations/{id}/confirm or /release with the service token. */
const decide = (reservationId: string, action: string) =>
  call(t.url, "POST", `/internal/v1/reservations/${reservationId}/${action}`, {
    token: INTERNAL_TOKEN,
  });

describe("confirm and release", () => {
  /** A product of 10 units with `quantity` of them reserved (201 expected). */
  async function aProductWithReservation(quantity = 2) {
    const product = await aProduct(t, { quantity: 10 });
    return { product, reservationId: await aReservation(t, product.id, quantity) };
  }

  it("confirms once and answers the same on a repeat", async () => {
    const { reservationId } = await aProductWithReservation();
    const first = await decide(reservationId, "confirm");
    const again = await decide(reservationId, "confirm");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ reservationId, status: "CONFIRMED" });
    expect(again.body).toEqual(first.body);
  });

  it("returns the stock once when release is called twice, also concurrently", async () => {
    const { product, reservationId } = await aProductWithReservation(3);
    expect((await stockOf(t, product.id)).quantity).toBe(7);
    const results = await Promise.all([1, 2].map(() => decide(reservationId, "release")));
    for (const r of results)
      expect(r).toMatchObject({ status: 200, body: { reservationId, status: "RELEASED" } });
    const third = await decide(reservationId, "release");
    expect(third.status).toBe(200);
    expect((await stockOf(t, product.id)).quantity).toBe(10);
    expect(await availableOf(t, product.id)).toBe(10);
  });

  it("answers 409 RESERVATION_CONFIRMED and keeps the stock held when asked to release a confirmed reservation", async () => {
    const { product, reservationId } = await aProductWithReservation(4);
    await decide(reservationId, "confirm");
    const refused = await decide(reservationId, "release");
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("RESERVATION_CONFIRMED");
    expect(await reservationStatus(t, reservationId)).toBe("CONFIRMED");
    // Only the order's own cancellation (ORDER_CANCELLED, see orderEvents.test.ts) returns it.
    expect((await stockOf(t, product.id)).quantity).toBe(6);
  });

  it("returns 409 RESERVATION_RELEASED when confirming a released reservation", async () => {
    const { reservationId } = await aProductWithReservation();
    await decide(reservationId, "release");
    const response = await decide(reservationId, "confirm");
    expect(response.status).toBe(409);
    expect(response.body.code).toBe("RESERVATION_RELEASED");
  });

  it("returns 404 RESERVATION_NOT_FOUND for unknown ids and 401 without credentials", async () => {
    for (const action of ["confirm", "release"]) {
      const unknown = await decide(randomUUID(), action);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("RESERVATION_NOT_FOUND");
      expect((await decide("not-a-uuid", action)).status).toBe(404);
      expect(
        (await call(t.url, "POST", `/internal/v1/reservations/${randomUUID()}/${action}`)).status,
      ).toBe(401);
    }
  });
});
