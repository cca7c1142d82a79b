import { randomUUID } from "node:crypto";
import { lifecycleSystemForFile } from "./support/lifecycle";
import { call } from "./support/system";

const { system: s, anOrder, archive } = lifecycleSystemForFile();

describe("GET /api/v1/orders/{id}", () => {
  it("returns the order to its owner and to an admin, and 404 ORDER_NOT_FOUND to another user", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token);

    const own = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, { token });
    const admin = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, {
      token: s.adminToken,
    });
    const stranger = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, {
      token: s.aCustomer().token,
    });

    expect([own.status, admin.status]).toEqual([200, 200]);
    expect(own.body).toEqual(order);
    expect(admin.body).toEqual(order);
    expect([stranger.status, stranger.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
  });

  it("answers 404 for an unknown or malformed id and 401 without a token", async () => {
    const { token } = s.aCustomer();
    const unknown = await call(s.orderUrl, "GET", `/api/v1/orders/${randomUUID()}`, { token });
    const malformed = await call(s.orderUrl, "GET", "/api/v1/orders/abc", { token });
    const anonymous = await call(s.orderUrl, "GET", `/api/v1/orders/${randomUUID()}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
    expect([malformed.status, malformed.body.code]).toEqual([404, "ORDER_NOT_FOUND"]);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("still returns an archived order, with its items, to its owner only", async () => {
    const { token } = s.aCustomer();
    const { order } = await anOrder(token, 2);
    const completed = await call(s.orderUrl, "POST", `/api/v1/orders/${order.id}/complete`, {
      token: s.adminToken,
    });
    await archive(order.id);

    const own = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, { token });
    const stranger = await call(s.orderUrl, "GET", `/api/v1/orders/${order.id}`, {
      token: s.aCustomer().token,
    });

    expect(await s.countRows("orders", "id = ?", [order.id])).toBe(0);
    expect(own.status).toBe(200);
    expect(own.body).toEqual(completed.body);
    expect(stranger.status).toBe(404);
  });
});

describe("GET /api/v1/orders", () => {
  it("lists only the caller's orders, newest first, page by page with an opaque cursor, archived ones included", async () => {
    const { token } = s.aCustomer();
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push((await anOrder(token)).order);
    await anOrder(s.aCustomer().token);
    await call(s.orderUrl, "POST", `/api/v1/orders/${placed[1].id}/complete`, {
      token: s.adminToken,
    });
    await archive(placed[1].id);

    const first = await call(s.orderUrl, "GET", "/api/v1/orders?limit=2", { token });
    const second = await call(
      s.orderUrl,
      "GET",
      `/api/v1/orders?limit=2&cursor=${first.body.nextCursor}`,
      { token },
    );
    const third = await call(
      s.orderUrl,
      "GET",
      `/api/v1/orders?limit=2&cursor=${second.body.nextCursor}`,
      { token },
    );

    const ids = [...first.body.items, ...second.body.items, ...third.body.items].map(
      (o: { id: string }) => o.id,
    );
    expect(ids).toEqual(placed.map((o) => o.id).reverse());
    expect(third.body.nextCursor).toBeNull();
  });

  it("lists every order exactly once, with its items, while the archiver moves them", async () => {
    const { token } = s.aCustomer();
    const product = await s.aProduct({ quantity: 100 });
    const placed = await Promise.all(
      Array.from({ length: 30 }, () =>
        s.placeOrder(token, randomUUID(), { items: [{ productId: product.id, quantity: 1 }] }),
      ),
    );
    const ids = placed.map((p) => p.body.id as string).sort();
    await Promise.all(
      ids.map((id) =>
        call(s.orderUrl, "POST", `/api/v1/orders/${id}/complete`, { token: s.adminToken }),
      ),
    );

    let moving = true;
    const mover = (async () => {
      // One order per chunk, so chunk commits keep landing while the pages are read.
      for (const id of [...ids].reverse()) await archive(id);
      moving = false;
    })();
    const pages: { id: string; items: unknown[] }[][] = [];
    const reader = async () => {
      while (moving) {
        const page = await call(s.orderUrl, "GET", "/api/v1/orders?limit=100", { token });
        expect(page.status).toBe(200);
        pages.push(page.body.items);
      }
    };
    await Promise.all([mover, reader(), reader(), reader()]);

    expect(await s.countRows("orders", "id IN (?)", [ids])).toBe(0);
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) {
      expect(page.map((o) => o.id).sort()).toEqual(ids);
      for (const order of page) expect(order.items).toHaveLength(1);
    }
  });

  it("answers 400 VALIDATION_FAILED for a limit outside 1..100 or a cursor it did not issue", async () => {
    const { token } = s.aCustomer();
    for (const query of [
      "limit=0",
      "limit=101",
      "limit=abc",
      "limit=0x10",
      "limit=1e1",
      "cursor=bm9wZQ",
    ]) {
      const response = await call(s.orderUrl, "GET", `/api/v1/orders?${query}`, { token });
      expect([query, response.status, response.body.code]).toEqual([
        query,
        400,
        "VALIDATION_FAILED",
      ]);
    }
  });

  it("answers an empty page to a customer without orders", async () => {
    const response = await call(s.orderUrl, "GET", "/api/v1/orders", {
      token: s.aCustomer().token,
    });
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });
});
