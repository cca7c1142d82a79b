import { randomUUID } from "node:crypto";
import { aSignedInUser, authServiceForFile, call, userView } from "./support";

const TOKEN = "notifier-test-token";
const running = authServiceForFile({ INTERNAL_TOKENS: TOKEN });

const lookUp = (id: string, token: string | null = TOKEN) =>
  call(running.auth.url, "GET", `/internal/v1/users/${id}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
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
