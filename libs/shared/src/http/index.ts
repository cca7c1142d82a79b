export * from "./app";
export * from "./server";
export * from "./openapi";
export * from "./httpClient";
export * from "./runUntilSignalled";
export * from "./rateLimitHeaders";
