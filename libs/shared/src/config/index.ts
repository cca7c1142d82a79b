import { z } from "zod";
import { parseDatabaseUrlOptions } from "../database/urlOptions";

/** Raised when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} (${i.message})`).join("; ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment against a zod object schema whose keys are variable names.
 * Every problem is collected so one start-up failure lists every bad variable at once.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? "(root)"),
    message: issue.message,
  }));
  throw new ConfigError(issues);
}

/** Building blocks for service schemas, so every service spells the same variable the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  url: () => z.url(),
  urlWithDefault: (fallback: string) => z.url().default(fallback),
  /** A mysql:// URL whose query string the driver understands (TLS, key exchange, pool). */
  databaseUrl: (fallback: string) =>
    z
      .url()
      .default(fallback)
      .superRefine((value, ctx) => {
        try {
          parseDatabaseUrlOptions(new URL(value).searchParams);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
  string: () => z.string().min(1),
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1"),
  list: (fallback?: string) =>
    (fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback)).transform(
      (v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
    ),
  logLevel: () => z.enum(["error", "warn", "info", "http", "debug"]).default("info"),
  nodeEnv: () => z.enum(["development", "test", "production"]).default("development"),
};

/** Runs a start-up function and turns a ConfigError into one clear line and exit code 78 (EX_CONFIG). */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
}
