import {
  buildOpenApiDocument,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  rateLimitHeaderDocs,
} from "@app/shared";
import {
  jwksResponse,
  loginRequest,
  refreshTokenRequest,
  registerRequest,
  tokenResponse,
  userIdParams,
  userLookupRequest,
  userLookupResponse,
  userResponse,
} from "./schemas";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });

/** The document served at /openapi.json, built from the schemas that validate requests. */
export function authOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: "post",
    path: "/api/v1/auth/register",
    summary: "Create a customer account",
    description:
      "Registrations per client are limited: 429 TOO_MANY_ATTEMPTS with Retry-After. When too much password hashing is in flight: 503 BUSY with Retry-After, at once. 201, 409 and 429 carry RateLimit-Policy and RateLimit.",
    request: { body: { required: true, ...json(registerRequest) } },
    responses: {
      201: { description: "Created", headers: rateLimitHeaderDocs, ...json(userResponse) },
      ...problemResponses(400, 413, 415),
      409: problemResponse("Problem: EMAIL_TAKEN", rateLimitHeaderDocs),
      429: problemResponse("Problem: TOO_MANY_ATTEMPTS, with Retry-After", rateLimitHeaderDocs),
      503: problemResponse(
        "Problem: BUSY (too much password hashing in flight, or a lock race lost) or DEPENDENCY_UNAVAILABLE, with Retry-After",
      ),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/auth/login",
    summary: "Exchange email and password for tokens",
    description:
      "Unknown email and wrong password answer the same 401 INVALID_CREDENTIALS. Repeated failures for one email from one client, from one client overall, or (a far higher limit) for one email from every client answer 429 TOO_MANY_ATTEMPTS with Retry-After. 200, 401 and 429 carry RateLimit-Policy and RateLimit.",
    request: { body: { required: true, ...json(loginRequest) } },
    responses: {
      200: { description: "Signed in", headers: rateLimitHeaderDocs, ...json(tokenResponse) },
      ...problemResponses(400, 503),
      401: problemResponse(
        "Problem: INVALID_CREDENTIALS, with WWW-Authenticate",
        rateLimitHeaderDocs,
      ),
      429: problemResponse("Problem: TOO_MANY_ATTEMPTS, with Retry-After", rateLimitHeaderDocs),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/auth/refresh",
    summary: "Rotate a refresh token",
    description:
      "The presented token dies; presenting a dead token again revokes its whole family (401 INVALID_REFRESH_TOKEN).",
    request: { body: { required: true, ...json(refreshTokenRequest) } },
    responses: {
      200: { description: "New token pair", ...json(tokenResponse) },
      ...problemResponses(400, 503),
      401: problemResponse("Problem: INVALID_REFRESH_TOKEN, with WWW-Authenticate"),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/auth/logout",
    summary: "Revoke the session of a refresh token",
    description: "Answers 204 also for an unknown or already revoked token.",
    request: { body: { required: true, ...json(refreshTokenRequest) } },
    responses: { 204: { description: "Logged out" }, ...problemResponses(400, 503) },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/auth/me",
    summary: "The signed-in user",
    security: [{ bearerAuth: [] }],
    responses: {
      200: { description: "The user", ...json(userResponse) },
      ...problemResponses(401, 503),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/.well-known/jwks.json",
    summary: "Public keys that verify access tokens (current and, during rotation, previous)",
    responses: { 200: { description: "JSON Web Key Set", ...json(jwksResponse) } },
  });
  registry.registerPath({
    method: "post",
    path: "/internal/v1/users/lookup",
    summary:
      "For the notifier: the email addresses of up to 100 users by id, one call per claimed batch (service token, never routed by the gateway)",
    request: { body: { required: true, ...json(userLookupRequest) } },
    responses: {
      200: {
        description: "The users found; an unknown id is left out",
        ...json(userLookupResponse),
      },
      ...problemResponses(400, 401, 413, 415, 503),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/internal/v1/users/{id}",
    summary:
      "For the notifier: a user's email address by id (service token, never routed by the gateway); kept for the previous release's notifier",
    request: { params: userIdParams },
    responses: {
      200: { description: "The user", ...json(userResponse) },
      ...problemResponses(400, 401, 404, 503),
    },
  });
  return buildOpenApiDocument(registry, { title: "Auth service", version: "1.0.0" });
}
