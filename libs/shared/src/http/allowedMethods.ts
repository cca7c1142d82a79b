import type { RequestHandler } from "express";
import { problems } from "../errors";
import { OPERATION_METHODS } from "./openapi";

/**
 * The methods each path of an OpenAPI document answers, by request path: `/api/v1/products/{id}`
 * matches one segment for `{id}`. HEAD comes with GET and OPTIONS with every path, as Express
 * answers them itself.
 */
export function allowedMethodsOf(document: {
  paths?: Record<string, Record<string, unknown>>;
}): (path: string) => string[] | undefined {
  const templates = Object.entries(document.paths ?? {}).map(([template, item]) => {
    const pattern = template
      .split(/(\{[^}]+\})/)
      .map((part) =>
        /^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
    const methods = OPERATION_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
    for (const implied of methods.includes("GET") ? ["HEAD", "OPTIONS"] : ["OPTIONS"])
      if (!methods.includes(implied)) methods.push(implied);
    return { regex: new RegExp(`^${pattern}/?$`), methods };
  });
  return (path) => templates.find((t) => t.regex.test(path))?.methods;
}

/**
 * After the routes: a documented path asked with a method it does not answer is 405
 * METHOD_NOT_ALLOWED with `Allow` (RFC 9110), not the 404 of a path that does not exist.
 */
export function methodNotAllowedHandler(
  allowed: (path: string) => string[] | undefined,
): RequestHandler {
  return (req, _res, next) => {
    const methods = allowed(req.path);
    if (!methods || methods.includes(req.method)) return next();
    next(problems.methodNotAllowed(req.method, req.path, methods));
  };
}
