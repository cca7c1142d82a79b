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

  it("documents the statuses and headers the auth routes really send", async () => {
    type Responses = Record<string, { headers?: Record<string, unknown> }>;
    const { body: document } = await call<{
      paths: Record<string, Record<string, { responses: Responses }>>;
    }>(running.auth.url, "GET", "/openapi.json");
    const responses = (method: string, path: string) => document.paths[path]![method]!.responses;
    const headers = (method: string, path: string, status: number) =>
      Object.keys(responses(method, path)[status]?.headers ?? {});
    const login = responses("post", "/api/v1/auth/login");

    for (const path of ["login", "register", "refresh", "logout"].map((r) => `/api/v1/auth/${r}`))
      expect(Object.keys(responses("post", path))).toEqual(
        expect.arrayContaining(["400", "413", "415", "500", "503"]),
      );
    expect(Object.keys(responses("get", "/api/v1/auth/me"))).toEqual(
      expect.arrayContaining(["304", "401", "500", "503"]),
    );
    expect(headers("get", "/api/v1/auth/me", 401)).toContain("WWW-Authenticate");
    expect(headers("post", "/api/v1/auth/register", 429)).toEqual(
      expect.arrayContaining(["RateLimit", "RateLimit-Policy", "Retry-After", "X-Request-Id"]),
    );
    expect(headers("post", "/api/v1/auth/register", 503)).toContain("Retry-After");
    expect(Object.keys(login)).toEqual(expect.arrayContaining(["401", "429"]));

    // A wrong password: every header the document names for the 401 is on the answer.
    const refused = await post(running.auth.url, "/api/v1/auth/login", {
      email: "nobody@example.com",
      password: "wrong password",
    });
    expect(refused.status).toBe(401);
    expect(headers("post", "/api/v1/auth/login", 401).sort()).toEqual(
      ["RateLimit", "RateLimit-Policy", "WWW-Authenticate", "X-Request-Id"].sort(),
    );
    for (const name of headers("post", "/api/v1/auth/login", 401))
      expect([name, refused.headers.get(name)]).toEqual([name, expect.any(String)]);

    // A body that is not JSON: the documented 415.
    const notJson = await call(running.auth.url, "POST", "/api/v1/auth/logout", {
      rawBody: "refreshToken=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([notJson.status, notJson.headers.get("x-request-id")]).toEqual([
      415,
      expect.any(String),
    ]);
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
