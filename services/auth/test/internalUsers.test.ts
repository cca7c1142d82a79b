import { randomUUID } from "node:crypto";
import { aSignedInUser, authServiceForFile, call, userView } from "./support";

const TOKEN = "notifier-test-token";
const running = authServiceForFile({ INTERNAL_TOKENS: TOKEN });

const lookUp = (id: string, token: string | null = TOKEN) =>
  call(running.auth.url, "GET", `/internal/v1/users/${id}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

const lookUpMany = (body: unknown, token: string | null = TOKEN) =>
  call<{ users: unknown[]; code?: string; errors?: { path: string }[] }>(
    running.auth.url,
    "POST",
    "/internal/v1/users/lookup",
    { body, headers: token ? { authorization: `Bearer ${token}` } : {} },
  );

describe("POST /internal/v1/users/lookup", () => {
  it("answers every known user once, leaving out ids no user has", async () => {
    const [ann, bob] = [
      await aSignedInUser(running.auth.url),
      await aSignedInUser(running.auth.url),
    ];
    const res = await lookUpMany({ ids: [ann.userId, randomUUID(), bob.userId, ann.userId] });
    expect(res.status).toBe(200);
    expect(res.body.users).toHaveLength(2);
    expect(res.body.users).toEqual(expect.arrayContaining([userView(ann), userView(bob)]));
  });

  it("answers an empty list when no id is known", async () => {
    const res = await lookUpMany({ ids: [randomUUID()] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ users: [] });
  });

  it.each([
    ["no ids", { ids: [] }, "ids"],
    ["more than 100 ids", { ids: Array.from({ length: 101 }, () => randomUUID()) }, "ids"],
    ["an id that is not a UUID", { ids: [randomUUID(), "not-a-uuid"] }, "ids.1"],
    ["ids that are not a list", { ids: randomUUID() }, "ids"],
    ["a field the route does not take", { ids: [randomUUID()], all: true }, "(root)"],
  ])("answers 400 VALIDATION_FAILED for %s", async (_, body, path) => {
    const res = await lookUpMany(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.errors!.map((e) => e.path)).toContain(path);
  });

  it.each([
    ["a body that is not JSON", { rawBody: '{"ids": [' }, 400, "MALFORMED_JSON"],
    ["no body at all", {}, 400, "VALIDATION_FAILED"],
    [
      "a body not sent as JSON",
      { rawBody: "ids=1", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
  ])("answers %s with a problem", async (_, request, status, code) => {
    const { headers, ...rest } = request as { rawBody?: string; headers?: Record<string, string> };
    const res = await call(running.auth.url, "POST", "/internal/v1/users/lookup", {
      ...rest,
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status, code });
  });

  it("answers 401 UNAUTHENTICATED without a service token, with a wrong one and with a user's access token", async () => {
    const user = await aSignedInUser(running.auth.url);
    for (const token of [null, "wrong-token", user.tokens.accessToken]) {
      const res = await lookUpMany({ ids: [user.userId] }, token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
    }
  });
});

describe("GET /internal/v1/users/{id}", () => {
  it("answers the user with their email address to a caller holding a service token", async () => {
    const user = await aSignedInUser(running.auth.url);
    const res = await lookUp(user.userId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userView(user));
  });

  it("answers 404 USER_NOT_FOUND for an id no user has", async () => {
    const res = await lookUp(randomUUID());
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "USER_NOT_FOUND", status: 404 });
  });

  it("answers 400 VALIDATION_FAILED for an id that is not a UUID", async () => {
    const res = await lookUp("not-a-uuid");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: "id" }] });
  });

  it("answers 401 UNAUTHENTICATED without a service token, with a wrong one and with a user's access token", async () => {
    const user = await aSignedInUser(running.auth.url);
    for (const token of [null, "wrong-token", user.tokens.accessToken]) {
      const res = await lookUp(user.userId, token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
    }
  });
});
