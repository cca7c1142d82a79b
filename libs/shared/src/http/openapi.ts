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

/** Shorthand for problem responses in route registrations. */
export function problemResponses(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: Record<string, { schema: typeof problemSchema }> }
  > = {};
  for (const status of statuses) {
    out[status] = {
      description: `Problem (${status})`,
      content: { "application/problem+json": { schema: problemSchema } },
    };
  }
  return out;
}

/** The IETF RateLimit fields a throttled route sends (see rateLimitHeaders). */
export const rateLimitHeaderDocs = {
  "RateLimit-Policy": {
    description:
      'Quota policies, e.g. `"register";q=10;w=3600` (draft-ietf-httpapi-ratelimit-headers)',
    schema: { type: "string" as const },
  },
  RateLimit: {
    description:
      'Where the caller stands, e.g. `"register";r=9;t=3412`: r units left, t seconds to reset',
    schema: { type: "string" as const },
  },
};

export function buildOpenApiDocument(
  registry: OpenAPIRegistry,
  info: { title: string; version: string; description?: string },
) {
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: "3.1.0", info });
}
