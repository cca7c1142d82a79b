import { createPublicKey, timingSafeEqual, createHash } from "node:crypto";
import type { RequestHandler } from "express";
import jwt from "jsonwebtoken";
import { setCaller } from "../context";
import { problems } from "../errors";
import type { Logger } from "../logging";
import { createRemoteKeySet } from "./remoteKeySet";

export { createRemoteKeySet, type RemoteKeySet, type RemoteKeySetOptions } from "./remoteKeySet";

export type Role = "CUSTOMER" | "ADMIN";

export interface Principal {
  userId: string;
  role: Role;
  tokenId: string;
}

export type AsymmetricAlgorithm = "RS256" | "ES256" | "PS256";

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** The only algorithm accepted; `alg: none` and HMAC tokens are always refused. */
  algorithm: AsymmetricAlgorithm;
  /** Either the issuer's JWKS URL (fetched and refreshed) or a PEM public key. */
  jwksUrl?: string;
  publicKeyPem?: string;
  /** How often the whole JWKS is fetched again (default 5 minutes). */
  jwksRefreshIntervalMs?: number;
  /** Unknown-`kid` lookups one client may cause per minute (default 5). */
  unknownKidLookupsPerClientPerMinute?: number;
  clockToleranceSeconds?: number;
  onKeySetError?: (error: unknown) => void;
}

export interface TokenVerifier {
  /** `client` (the caller's address) budgets the key lookups an unknown `kid` may cause. */
  verify(token: string, client?: string): Promise<Principal>;
  close?(): void;
}

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** The variables `tokenVerificationEnv` (libs/shared config) adds to a service's config. */
export interface TokenVerificationConfig {
  JWKS_URL: string;
  JWKS_REFRESH_SECONDS: number;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

/** How every API service checks auth's RS256 access tokens: against auth's JWKS, refreshed. */
export function jwksTokenVerifier(config: TokenVerificationConfig, logger: Logger): TokenVerifier {
  return createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithm: "RS256",
    jwksUrl: config.JWKS_URL,
    jwksRefreshIntervalMs: config.JWKS_REFRESH_SECONDS * 1000,
    onKeySetError: (error) => logger.warn("JWKS fetch failed; keeping the keys held", { error }),
  });
}

/** Verifies access tokens with the issuer's public keys only. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (!options.jwksUrl && !options.publicKeyPem) {
    throw new Error("createTokenVerifier needs jwksUrl or publicKeyPem");
  }
  const staticKey = options.publicKeyPem ? createPublicKey(options.publicKeyPem) : undefined;
  const keySet = options.jwksUrl
    ? createRemoteKeySet({
        url: options.jwksUrl,
        refreshIntervalMs: options.jwksRefreshIntervalMs,
        unknownKidLookupsPerClientPerMinute: options.unknownKidLookupsPerClientPerMinute,
        onError: options.onKeySetError,
      })
    : undefined;

  const getKeyFor =
    (client: string | undefined): jwt.GetPublicKeyOrSecret =>
    (header, callback) => {
      if (staticKey) return callback(null, staticKey);
      if (!header.kid) return callback(new InvalidTokenError("token has no kid"));
      keySet!
        .keyFor(header.kid, client)
        .then((key) =>
          key
            ? callback(null, key)
            : callback(
                new InvalidTokenError(`Unable to find a signing key that matches '${header.kid}'`),
              ),
        )
        .catch((error: Error) => callback(error));
    };

  return {
    close: () => keySet?.close(),
    verify(token, client) {
      return new Promise((resolve, reject) => {
        jwt.verify(
          token,
          getKeyFor(client),
          {
            algorithms: [options.algorithm],
            issuer: options.issuer,
            audience: options.audience,
            clockTolerance: options.clockToleranceSeconds ?? 5,
          },
          (error, payload) => {
            if (error) return reject(new InvalidTokenError(error.message));
            const claims = payload as jwt.JwtPayload;
            const role = claims.role;
            if (
              typeof claims.sub !== "string" ||
              (role !== "CUSTOMER" && role !== "ADMIN") ||
              typeof claims.jti !== "string"
            ) {
              return reject(new InvalidTokenError("token claims are incomplete"));
            }
            resolve({ userId: claims.sub, role, tokenId: claims.jti });
          },
        );
      });
    },
  };
}

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

// The scheme is case-insensitive (RFC 9110, 11.1); the token (token68) is not, and its
// characters are listed in both cases anyway.
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/** Requires a valid bearer token; sets req.principal and the context's caller. */
export function requireAuth(verifier: TokenVerifier): RequestHandler {
  return (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? "");
    if (!match) return next(problems.unauthenticated());
    verifier
      .verify(match[1]!, req.ip)
      .then((principal) => {
        // One caller's data: no shared cache may keep it (a route may still say otherwise).
        res.setHeader("Cache-Control", "private, no-store");
        req.principal = principal;
        setCaller({ kind: "user", userId: principal.userId, role: principal.role });
        next();
      })
      .catch(() => next(problems.unauthenticated("The bearer token is invalid or expired.")));
  };
}

/** After requireAuth: 403 FORBIDDEN unless the caller has one of the roles. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) return next(problems.unauthenticated());
    if (!roles.includes(req.principal.role)) return next(problems.forbidden());
    next();
  };
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Service-to-service credentials for `/internal` routes: a bearer secret compared in constant
 * time against the accepted list (several, so a secret can be rotated without downtime).
 */
export function requireServiceToken(
  acceptedTokens: string[],
  serviceName = "internal-caller",
): RequestHandler {
  const accepted = acceptedTokens.filter(Boolean).map(digest);
  return (req, _res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? "");
    const presented = match ? digest(match[1]!) : undefined;
    if (!presented || !accepted.some((a) => timingSafeEqual(a, presented))) {
      return next(problems.unauthenticated("Valid service credentials are required."));
    }
    setCaller({ kind: "service", name: serviceName });
    next();
  };
}
