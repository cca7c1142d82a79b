import {
  aRegistration,
  authServiceForFile,
  call,
  expectMalformedJsonRefused,
  post,
} from "./support";

const running = authServiceForFile();

const register = (body: unknown) => post(running.auth.url, "/api/v1/auth/register", body);

describe("POST /api/v1/auth/register", () => {
  it("creates a customer and answers 201 with the user, never the password", async () => {
    const registration = aRegistration({ name: "Ann" });
    const res = await register(registration);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: registration.email,
      name: "Ann",
      role: "CUSTOMER",
      createdAt: expect.any(String),
    });
    expect(new Date(res.body.createdAt as string).toISOString()).toBe(res.body.createdAt);
    const [row] = await running.env.pool.query("SELECT password_hash FROM users WHERE id = ?", [
      res.body.id,
    ]);
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(JSON.stringify(res.body)).not.toContain(registration.password);
  });

  it("stores the email trimmed and answers name null when none is given", async () => {
    const { email, password } = aRegistration();
    const res = await register({ email: `  ${email}  `, password });

    expect(res.status).toBe(201);
    expect(res.body.email).toBe(email);
    expect(res.body.name).toBeNull();
  });

  it("ignores a role in the body: new users are always CUSTOMER", async () => {
    const res = await register({ ...aRegistration(), role: "ADMIN" });

    expect(res.status).toBe(201);
    expect(res.body.role).toBe("CUSTOMER");
  });

  it("returns 409 EMAIL_TAKEN for the same email in another case", async () => {
    const registration = aRegistration({ email: `Mixed.Case.${Date.now()}@Example.COM` });
    expect((await register(registration)).status).toBe(201);

    const res = await register({ ...registration, email: ` ${registration.email.toLowerCase()}` });

    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body).toMatchObject({
      status: 409,
      code: "EMAIL_TAKEN",
      requestId: res.headers.get("x-request-id"),
    });
  });

  it("creates exactly one account when the same email registers concurrently", async () => {
    const registration = aRegistration();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        register({
          ...registration,
          email: i % 2 ? registration.email.toUpperCase() : registration.email,
        }),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const [row] = await running.env.pool.query(
      "SELECT COUNT(*) AS n FROM users WHERE email_normalized = ?",
      [registration.email.toLowerCase()],
    );
    expect(Number(row.n)).toBe(1);
  });

  it.each([
    ["shorter than 8 characters", "seven77"],
    ["longer than 128 characters", "x".repeat(129)],
  ])("returns 400 VALIDATION_FAILED naming password when it is %s", async (_case, password) => {
    const res = await register(aRegistration({ password }));

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "password" })]);
  });

  it("accepts passwords of exactly 8 and exactly 128 characters", async () => {
    expect((await register(aRegistration({ password: "8chars!!" }))).status).toBe(201);
    expect((await register(aRegistration({ password: "y".repeat(128) }))).status).toBe(201);
  });

  it.each([
    ["an invalid email", { email: "not-an-email", password: "long enough" }, "email"],
    ["a missing email", { password: "long enough" }, "email"],
    ["a missing password", { email: "a@example.com" }, "password"],
    ["an empty name", { email: "b@example.com", password: "long enough", name: "  " }, "name"],
  ])("returns 400 VALIDATION_FAILED for %s", async (_case, body, field) => {
    const res = await register(body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
  });

  it("returns 400 MALFORMED_JSON for a body that is not JSON", async () => {
    await expectMalformedJsonRefused(
      running.auth.url,
      "/api/v1/auth/register",
      '{"email": "a@example.com",',
    );
  });

  it("returns 415 for a body that is not sent as JSON", async () => {
    const res = await call(running.auth.url, "POST", "/api/v1/auth/register", {
      rawBody: "email=a@example.com",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

    expect(res.status).toBe(415);
    expect(res.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("returns 400 VALIDATION_FAILED when there is no body at all", async () => {
    const res = await call(running.auth.url, "POST", "/api/v1/auth/register");

    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
  });
});
