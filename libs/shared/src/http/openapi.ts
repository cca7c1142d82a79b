import {
  extendZodWithOpenApi,
  OpenAPIRegistry,
  OpenApiGeneratorV31,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

// Lets every schema carry `.openapi(...)` metadata; the same schemas validate requests.
extendZodWithOpenApi(z);

export { OpenAPIRegistry, z };

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string().nullable(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/**
 * Statuses whose problem is the same wherever it comes from (the shared app and error handler
 * send them): their standard description. Other statuses name the operation's own codes.
 */
const STANDARD_PROBLEMS: Record<number, string> = {
  401: "Problem: UNAUTHENTICATED (the bearer token or service credentials are missing, malformed, expired or badly signed), with WWW-Authenticate",
  413: "Problem: PAYLOAD_TOO_LARGE (the body is over the size limit)",
  415: "Problem: UNSUPPORTED_MEDIA_TYPE (a body that is not application/json)",
  500: "Problem: INTERNAL (an unexpected failure; the request id finds it in the logs)",
  503: "Problem: DEPENDENCY_UNAVAILABLE (a database, cache or service this one needs could not be reached) or BUSY (the change lost a lock race and was rolled back), with Retry-After",
};

/**
 * The response headers the platform sends, each documented once as a component that operations
 * refer to (`#/components/headers/<name>`); only the ones a document uses end up in it.
 */
const HEADER_COMPONENTS = {
  "X-Request-Id": {
    description:
      "The request's id: the caller's own when it sent a sane one, else a new one; on every log line of the request",
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "Seconds to wait before trying again",
    schema: { type: "integer", minimum: 0 },
  },
  "WWW-Authenticate": {
    description: 'The challenge: `Bearer realm="api"`',
    schema: { type: "string" },
  },
  Location: { description: "The path of the created resource", schema: { type: "string" } },
  "Idempotent-Replayed": {
    description:
      "`true` on the stored answer of an earlier request with the same Idempotency-Key; absent on the first answer",
    schema: { type: "string", enum: ["true"] },
  },
  ETag: {
    description:
      "Entity tag of the body; send it back in If-None-Match and an unchanged answer is 304 without a body",
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description:
      'Quota policies, e.g. `"register";q=10;w=3600` (draft-ietf-httpapi-ratelimit-headers)',
    schema: { type: "string" },
  },
  RateLimit: {
    description:
      'Where the caller stands, e.g. `"register";r=9;t=3412`: r units left, t seconds to reset',
    schema: { type: "string" },
  },
} as const;
type SharedHeader = keyof typeof HEADER_COMPONENTS;

const HEADER_REF = "#/components/headers/";
const headerRef = (name: SharedHeader) => ({ $ref: `${HEADER_REF}${name}` });
const PROBLEM_REF = { $ref: "#/components/schemas/Problem" };

/** The IETF RateLimit fields a throttled route sends (see rateLimitHeaders). */
export const rateLimitHeaderDocs = {
  "RateLimit-Policy": headerRef("RateLimit-Policy"),
  RateLimit: headerRef("RateLimit"),
};
/** Retry-After on a refusal the client may retry later (every 429 and 503 has it anyway). */
export const retryAfterHeaderDocs = { "Retry-After": headerRef("Retry-After") };
/** Location on a 201: where the created resource is read. */
export const locationHeaderDocs = { Location: headerRef("Location") };
/** Idempotent-Replayed on answers stored against an Idempotency-Key. */
export const idempotentReplayedHeaderDocs = {
  "Idempotent-Replayed": headerRef("Idempotent-Replayed"),
};

/** Response headers: shared ones by reference, a service's own (e.g. a strong ETag) inline. */
type HeaderDocs = Record<
  string,
  { $ref: string } | { description: string; schema: { type: "string" | "integer" } }
>;

/** One problem response: its description names the codes it carries. */
export function problemResponse(description: string, headers?: HeaderDocs) {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { "application/problem+json": { schema: problemSchema } },
  };
}

/** Shorthand for problem responses in route registrations. */
export function problemResponses(...statuses: number[]) {
  const out: Record<number, ReturnType<typeof problemResponse>> = {};
  for (const status of statuses)
    out[status] = problemResponse(STANDARD_PROBLEMS[status] ?? `Problem (${status})`);
  return out;
}

type JsonObject = Record<string, unknown>;
type Response = { description: string; headers?: JsonObject; content?: JsonObject };
type Operation = {
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, Response | { $ref: string }>;
};

/** The operation keys of an OpenAPI path item. */
export const OPERATION_METHODS = [
  "get",
  "put",
  "post",
  "delete",
  "patch",
  "head",
  "options",
  "trace",
];

const problem = (status: number): Response => ({
  description: STANDARD_PROBLEMS[status]!,
  content: { "application/problem+json": { schema: PROBLEM_REF } },
});

/**
 * What the shared app and error handler send on every operation, added to each operation of a
 * generated document where the service did not declare it:
 * - 500 INTERNAL everywhere; 413 and 415 on every operation with a request body (express.json's
 *   limit and the JSON-only guard of createHttpApp); 401 wherever `security` asks for a token.
 * - 304 on every GET answering 200 with a body: Express answers If-None-Match against the
 *   answer's ETag (its own weak tag unless the route set one), so the 200 declares ETag too.
 * - Headers: X-Request-Id on every response, WWW-Authenticate on every 401, Retry-After on every
 *   429 and 503 (problems.retryLater and problems.unavailable always set it).
 */
export function completeOperations(document: { paths?: Record<string, JsonObject> }): void {
  for (const item of Object.values(document.paths ?? {})) {
    for (const method of OPERATION_METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      const add = (status: number, response: Response) => {
        responses[status] ??= response;
      };
      if (operation.requestBody) {
        add(413, problem(413));
        add(415, problem(415));
      }
      if (operation.security?.length) add(401, problem(401));
      add(500, problem(500));
      const ok = responses[200];
      if (method === "get" && ok && !("$ref" in ok) && ok.content) {
        ok.headers = { ETag: headerRef("ETag"), ...ok.headers };
        add(304, {
          description: "Not modified: If-None-Match named the answer's current ETag; no body",
          headers: { ETag: ok.headers.ETag },
        });
      }
      for (const [status, response] of Object.entries(responses)) {
        if ("$ref" in response) continue;
        const headers: JsonObject = { ...response.headers };
        if (status === "401") headers["WWW-Authenticate"] ??= headerRef("WWW-Authenticate");
        if (status === "429" || status === "503")
          headers["Retry-After"] ??= headerRef("Retry-After");
        headers["X-Request-Id"] = headerRef("X-Request-Id");
        // Re-created so every response reads description, headers, content in that order.
        responses[status] = Object.assign(
          { description: response.description, headers },
          response,
          {
            headers,
          },
        );
      }
      // Statuses in ascending order, however they were added.
      operation.responses = Object.fromEntries(
        Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
}

/** The shared header components a document refers to. */
function usedHeaderComponents(document: unknown): Partial<typeof HEADER_COMPONENTS> {
  const names = new Set<string>();
  JSON.stringify(document, (key, value: unknown) => {
    if (key === "$ref" && typeof value === "string" && value.startsWith(HEADER_REF))
      names.add(value.slice(HEADER_REF.length));
    return value;
  });
  return Object.fromEntries(
    [...names].sort().map((name) => {
      const component = HEADER_COMPONENTS[name as SharedHeader];
      if (!component) throw new Error(`No shared header component ${name}`);
      return [name, component];
    }),
  );
}

export function buildOpenApiDocument(
  registry: OpenAPIRegistry,
  info: { title: string; version: string; description?: string },
) {
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  // Referred to by the problem responses completeOperations adds.
  registry.register("Problem", problemSchema);
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info,
  });
  completeOperations(document as { paths?: Record<string, JsonObject> });
  const headers = usedHeaderComponents(document.paths);
  if (Object.keys(headers).length)
    document.components = { ...document.components, headers: headers as never };
  return document;
}
