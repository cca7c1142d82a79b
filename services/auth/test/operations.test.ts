import { aRegistration, authServiceForFile, call, post } from "./support";

const running = authServiceForFile();

describe("operations endpoints", () => {
  it("answers /health/live and /health/ready with database and redis checks", async () => {
    expect((await call(running.auth.url, "GET", "/health/live")).status).toBe(200);
    const ready = await call<{ status: string; checks: Record<string, { status: string }> }>(
      running.auth.url,
      "GET",
      "/health/ready",
    );

    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({
      database: { status: "ok" },
      redis: { status: "ok" },
    });
  });

  it("serves an OpenAPI 3.1 document with every auth route and the request schemas", async () => {
    const res = await call<{
      openapi: string;
      paths: Record<string, unknown>;
      components: {
        schemas: Record<
          string,
          { properties?: Record<string, { minLength?: number; maxLength?: number }> }
        >;
      };
    }>(running.auth.url, "GET", "/openapi.json");

    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths).sort()).toEqual(
      [
        "/.well-known/jwks.json",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/auth/refresh",
        "/api/v1/auth/register",
        "/internal/v1/users/lookup",
        "/internal/v1/users/{id}",
      ].sort(),
    );
    expect(res.body.components.schemas.RegisterRequest!.properties!.password).toMatchObject({
      minLength: 8,
      maxLength: 128,
    });
  });

  it("counts registrations and logins by outcome in /metrics", async () => {
    const registration = aRegistration();
    await post(running.auth.url, "/api/v1/auth/register", registration);
    await post(running.auth.url, "/api/v1/auth/register", registration);
    await post(running.auth.url, "/api/v1/auth/login", {
      email: registration.email,
      password: registration.password,
    });

    const metrics = await (await fetch(`${running.auth.url}/metrics`)).text();

    expect(metrics).toMatch(/auth_registrations_total\{outcome="created"\} [1-9]/);
    expect(metrics).toMatch(/auth_registrations_total\{outcome="email_taken"\} [1-9]/);
    expect(metrics).toMatch(/auth_logins_total\{outcome="success"\} [1-9]/);
  });

  it("labels request metrics with the route template, also for answers that are problems", async () => {
    await post(running.auth.url, "/api/v1/auth/login", {
      email: "nobody@example.com",
      password: "wrong password",
    });

    const metrics = await (await fetch(`${running.auth.url}/metrics`)).text();

    const line = metrics
      .split("\n")
      .find(
        (l) =>
          l.startsWith("http_request_duration_seconds_count{") &&
          l.includes('route="/api/v1/auth/login"') &&
          l.includes('status="401"'),
      );
    expect(line).toMatch(/ [1-9]\d*$/);
  });

  it("echoes a sane X-Request-Id and puts it in problem documents", async () => {
    const res = await call(running.auth.url, "POST", "/api/v1/auth/login", {
      body: {},
      headers: { "x-request-id": "trace-abc-123" },
    });

    expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
    expect(res.body.requestId).toBe("trace-abc-123");
  });

  it("answers 404 NOT_FOUND for an unknown auth route", async () => {
    const res = await call(running.auth.url, "GET", "/api/v1/auth/nothing-here");

    expect(res.status).toBe(404);
    expect(res.body.code).toBe("NOT_FOUND");
  });
});
