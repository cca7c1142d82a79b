import {
  parseOrThrow,
  rateLimitHeaders,
  requireAuth,
  type Logger,
  type TokenVerifier,
} from "@app/shared";
import type { Express, Request, Response } from "express";
import type { LoginInput, LoginOutcome } from "../application/loginUser";
import type { UserLookupOutcome } from "../application/lookUpUser";
import type { AuthMetrics } from "../application/ports";
import type { RefreshOutcome } from "../application/refreshSession";
import type {
  RegisterInput,
  RegisterOutcome,
  RegistrationLimits,
  RegistrationQuota,
} from "../application/registerUser";
import { limitOf, type FailureCount, type ThrottleLimits } from "../domain/loginThrottle";
import { problemFor } from "./problems";
import { loginRequest, refreshTokenRequest, registerRequest } from "./schemas";
import { userBody } from "./userBody";

export interface AuthUseCases {
  register(input: RegisterInput): Promise<RegisterOutcome>;
  login(input: LoginInput): Promise<LoginOutcome>;
  refresh(refreshToken: string): Promise<RefreshOutcome>;
  logout(refreshToken: string): Promise<void>;
  currentUser(userId: string): Promise<UserLookupOutcome>;
}

export interface AuthRoutesDeps {
  useCases: AuthUseCases;
  verifier: TokenVerifier;
  metrics: AuthMetrics;
  logger: Logger;
  jwks: () => unknown;
  /** The throttled routes' quotas, advertised in the RateLimit headers. */
  quotas: {
    login: { limits: ThrottleLimits; windowSeconds: number };
    register: RegistrationLimits;
  };
}

// Behind the gateway this is the caller's address from X-Forwarded-For, read only through the
// proxies TRUST_PROXY names, so a client cannot pick its own.
const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? "unknown";

const BASE = "/api/v1/auth";

// Routes are mounted on the app with their full paths rather than on a Router: the shared
// request metrics read req.baseUrl after the response, which a Router has already reset on errors.
export function authRoutes(deps: AuthRoutesDeps): (app: Express) => void {
  const { useCases, metrics, logger, quotas } = deps;
  const registerQuota = (res: Response, quota: RegistrationQuota) =>
    res.set(
      rateLimitHeaders([
        {
          policy: "register",
          quota: quotas.register.maxPerClient,
          windowSeconds: quotas.register.windowSeconds,
          remaining: quotas.register.maxPerClient - quota.count,
          resetSeconds: quota.resetsInSeconds,
        },
      ]),
    );
  const loginQuota = (res: Response, counts: FailureCount[]) =>
    res.set(
      rateLimitHeaders(
        counts.map((c) => ({
          policy: `login-failures-${c.scope.replace("_", "-")}`,
          quota: limitOf(c.scope, quotas.login.limits),
          windowSeconds: quotas.login.windowSeconds,
          remaining: limitOf(c.scope, quotas.login.limits) - c.failures,
          resetSeconds: c.resetsInSeconds,
        })),
      ),
    );
  return (app) => {
    app.post(`${BASE}/register`, async (req, res) => {
      const input = parseOrThrow(registerRequest, req.body);
      const outcome = await useCases.register({ ...input, clientAddress: clientAddress(req) });
      metrics.registration(outcome.kind);
      if ("quota" in outcome) registerQuota(res, outcome.quota);
      if (outcome.kind !== "created") throw problemFor(outcome);
      logger.info("user registered", { userId: outcome.user.id });
      res.status(201).json(userBody(outcome.user));
    });

    app.post(`${BASE}/login`, async (req, res) => {
      const input = parseOrThrow(loginRequest, req.body);
      const outcome = await useCases.login({ ...input, clientAddress: clientAddress(req) });
      loginQuota(res, outcome.throttle);
      metrics.login(outcome.kind === "logged_in" ? "success" : outcome.kind);
      if (outcome.kind !== "logged_in") {
        if (outcome.kind === "too_many_attempts") {
          metrics.throttled(outcome.scope);
          logger.warn("login throttled", {
            scope: outcome.scope,
            retryAfterSeconds: outcome.retryAfterSeconds,
          });
        }
        throw problemFor(outcome);
      }
      logger.info("user logged in", { userId: outcome.userId });
      res.set("Cache-Control", "no-store").json(outcome.session);
    });

    app.post(`${BASE}/refresh`, async (req, res) => {
      const { refreshToken } = parseOrThrow(refreshTokenRequest, req.body);
      const outcome = await useCases.refresh(refreshToken);
      metrics.refresh(outcome.kind === "rotated" ? "rotated" : outcome.reason.toLowerCase());
      if (outcome.kind !== "rotated") {
        if (outcome.reason === "REUSED") logger.warn("refresh token reused; its family is revoked");
        throw problemFor(outcome);
      }
      res.set("Cache-Control", "no-store").json(outcome.session);
    });

    app.post(`${BASE}/logout`, async (req, res) => {
      const { refreshToken } = parseOrThrow(refreshTokenRequest, req.body);
      await useCases.logout(refreshToken);
      res.status(204).end();
    });

    app.get(`${BASE}/me`, requireAuth(deps.verifier), async (req, res) => {
      const outcome = await useCases.currentUser(req.principal!.userId);
      if (outcome.kind === "not_found") throw problemFor({ kind: "user_gone" });
      res.json(userBody(outcome.user));
    });

    app.get("/.well-known/jwks.json", (_req, res) => {
      // Short enough that a rotation reaches verifiers soon; they also refetch on an unknown kid.
      res.set("Cache-Control", "public, max-age=300").json(deps.jwks());
    });
  };
}
