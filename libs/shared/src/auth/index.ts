import { createPublicKey, timingSafeEqual, createHash, type KeyObject } from "node:crypto";
import type { RequestHandler } from "express";
import jwt from "jsonwebtoken";
import { JwksClient } from "jwks-rsa";
import { setCaller } from "../context";
import { problems } from "../errors";

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
  /** Either the issuer's JWKS URL (fetched and cached) or a PEM public key. */
  jwksUrl?: string;
  publicKeyPem?: string;
  clockToleranceSeconds?: number;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Verifies access tokens with the issuer's public keys only. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (!options.jwksUrl && !options.publicKeyPem) {
    throw new Error("createTokenVerifier needs jwksUrl or publicKeyPem");
  }
  const staticKey = options.publicKeyPem ? createPublicKey(options.publicKeyPem) : undefined;
  const jwks = options.jwksUrl
    ? new JwksClient({
        jwksUri: options.jwksUrl,
        cache: true,
        cacheMaxAge: 10 * 60 * 1000,
        // An unknown kid triggers a refetch (key rotation), rate limited against abuse.
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 3000,
      })
    : undefined;

  // jwks-rsa hands out PEM strings; parsing one per request was 4 % of the order service's CPU
  // under load, so parsed keys are kept (a handful at most: current and previous signing key).
  const parsed = new Map<string, KeyObject>();
  const keyObject = (pem: string): KeyObject => {
    let key = parsed.get(pem);
    if (!key) {
      if (parsed.size >= 16) parsed.clear();
      key = createPublicKey(pem);
      parsed.set(pem, key);
    }
    return key;
  };

  const getKey: jwt.GetPublicKeyOrSecret = (header, callback) => {
    if (staticKey) return callback(null, staticKey);
    if (!header.kid) return callback(new InvalidTokenError("token has no kid"));
    jwks!
      .getSigningKey(header.kid)
      .then((key) => callback(null, keyObject(key.getPublicKey())))
      .catch((error: Error) => callback(error));
  };

  return {
    verify(token) {
      return new Promise((resolve, reject) => {
        jwt.verify(
          token,
          getKey,
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

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** Requires a valid bearer token; sets req.principal and the context's caller. */
export function requireAuth(verifier: TokenVerifier): RequestHandler {
  return (req, _res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? "");
    if (!match) return next(problems.unauthenticated());
    verifier
      .verify(match[1]!)
      .then((principal) => {
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
