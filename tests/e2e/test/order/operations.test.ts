import { call, systemForFile } from "./support/system";

const s = systemForFile();

describe("operations", () => {
  it("serves readiness, liveness and an OpenAPI 3.1 document naming every route", async () => {
    const ready = await call(s.orderUrl, "GET", "/health/ready");
    const live = await call(s.orderUrl, "GET", "/health/live");
    const openapi = await call(s.orderUrl, "GET", "/openapi.json");
    expect([ready.status, ready.body.checks.database.status]).toEqual([200, "ok"]);
    expect(live.status).toBe(200);
    expect(openapi.body.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.body.paths).sort()).toEqual([
      "/api/v1/orders",
      "/api/v1/orders/{id}",
      "/api/v1/orders/{id}/cancel",
      "/api/v1/orders/{id}/complete",
      "/internal/v1/reservations/{reservationId}/abandon",
      "/internal/v1/reservations/{reservationId}/order",
    ]);
  });

  it("echoes a sane X-Request-Id and answers unknown routes with a 404 problem", async () => {
    const response = await call(s.orderUrl, "GET", "/api/v1/nothing-here", {
      headers: { "x-request-id": "req-echo-1" },
    });
    expect(response.headers.get("x-request-id")).toBe("req-echo-1");
    expect([response.status, response.body.code, response.body.requestId]).toEqual([
      404,
      "NOT_FOUND",
      "req-echo-1",
    ]);
  });
});
