import path from "node:path";
import {
  createHttpApp,
  createLogger,
  databaseCheck,
  Metrics,
  redisCheck,
  runMigrations,
  runUntilSignalled,
  startHttpServer,
  type Logger,
  systemClock,
  startIntervalLoop,
  randomIds,
} from "@app/shared";
import { Redis } from "ioredis";
import { authRoutes, type AuthUseCases } from "./api/authRoutes";
import { internalUserRoutes } from "./api/internalUserRoutes";
import { authOpenApiDocument } from "./api/openapi";
import { bootstrapAdmin } from "./application/bootstrapAdmin";
import { loginUser } from "./application/loginUser";
import { lookUpUser, lookUpUsers } from "./application/lookUpUser";
import { logout } from "./application/logout";
import type { Clock } from "./application/ports";
import { purgeRefreshTokens } from "./application/purgeRefreshTokens";
import { refreshSession } from "./application/refreshSession";
import { registerUser } from "./application/registerUser";
import { loadAuthConfig, signingKeySources, type AuthConfig } from "./config";
import { BcryptPasswordHasher } from "./infrastructure/bcryptPasswordHasher";
import { JwtAccessTokenIssuer } from "./infrastructure/jwtAccessTokenIssuer";
import { keySetTokenVerifier } from "./infrastructure/keySetTokenVerifier";
import { createAuthPrisma } from "./infrastructure/prismaClient";
import { PrismaRefreshTokenStore } from "./infrastructure/prismaRefreshTokenStore";
import { PrismaUserRepository } from "./infrastructure/prismaUserRepository";
import { PrometheusAuthMetrics } from "./infrastructure/prometheusAuthMetrics";
import { InProcessHashingSlots } from "./infrastructure/hashingSlots";
import { RedisLoginFailureCounters } from "./infrastructure/redisLoginFailureCounters";
import { RedisRegistrationCounter } from "./infrastructure/redisRegistrationCounter";
import { jwksOf, loadSigningKeys, type PublicJwk } from "./infrastructure/signingKeys";

export { loadAuthConfig, type AuthConfig } from "./config";

export interface AuthOverrides {
  logger: Logger;
  clock: Clock;
}

export interface RunningAuth {
  url: string;
  port: number;
  /** The published key set (what GET /.well-known/jwks.json answers). */
  jwks: { keys: PublicJwk[] };
  /** What the admin bootstrap found or did at start. */
  adminBootstrap: Awaited<ReturnType<typeof bootstrapAdmin>> | "DISABLED";
  close(): Promise<void>;
}

const MIGRATIONS_DIR = path.resolve(__dirname, "../migrations");

export async function startAuth(
  config: AuthConfig,
  overrides: Partial<AuthOverrides> = {},
): Promise<RunningAuth> {
  const logger = overrides.logger ?? createLogger({ service: "auth", level: config.LOG_LEVEL });
  const clock: Clock = overrides.clock ?? systemClock;
  const ids = randomIds;

  if (config.MIGRATE_ON_START)
    await runMigrations({ databaseUrl: config.DATABASE_URL, dir: MIGRATIONS_DIR, logger });
  const keys = await loadSigningKeys(signingKeySources(config));
  const jwks = jwksOf(keys);

  const prisma = createAuthPrisma(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const closeClients = async () => {
    await prisma.$disconnect();
    redis.disconnect();
  };

  try {
    const metrics = new Metrics();
    const authMetrics = new PrometheusAuthMetrics(metrics);
    const users = new PrismaUserRepository(prisma);
    const refreshTokens = new PrismaRefreshTokenStore(prisma);
    const passwords = await BcryptPasswordHasher.create(config.BCRYPT_COST);
    const accessTokens = new JwtAccessTokenIssuer(keys, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const failures = new RedisLoginFailureCounters(
      redis,
      config.REDIS_KEY_PREFIX,
      config.LOGIN_THROTTLE_WINDOW_SECONDS,
    );
    const session = {
      accessTokens,
      clock,
      ids,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    };
    const limits = {
      maxFailuresPerEmailAndClient: config.LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT,
      maxFailuresPerClient: config.LOGIN_MAX_FAILURES_PER_CLIENT,
      maxFailuresPerEmail: config.LOGIN_MAX_FAILURES_PER_EMAIL,
    };

    const registration = {
      registrations: new RedisRegistrationCounter(
        redis,
        config.REDIS_KEY_PREFIX,
        config.REGISTER_WINDOW_SECONDS,
      ),
      hashing: new InProcessHashingSlots(config.REGISTER_HASHING_MAX_IN_FLIGHT),
      limits: {
        maxPerClient: config.REGISTER_MAX_PER_CLIENT,
        windowSeconds: config.REGISTER_WINDOW_SECONDS,
        busyRetryAfterSeconds: config.BUSY_RETRY_AFTER_SECONDS,
      },
    };

    const useCases: AuthUseCases = {
      register: (input) => registerUser({ users, passwords, clock, ids, ...registration }, input),
      login: (input) =>
        loginUser({ ...session, users, passwords, refreshTokens, failures, limits }, input),
      refresh: (token) => refreshSession({ ...session, users, refreshTokens }, token),
      logout: (token) => logout({ refreshTokens, clock }, token),
      currentUser: (userId) => lookUpUser({ users }, userId),
    };

    const adminBootstrap =
      config.ADMIN_EMAIL && config.ADMIN_PASSWORD
        ? await bootstrapAdmin(
            { users, passwords, clock, ids },
            { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
          )
        : "DISABLED";
    if (adminBootstrap === "EMAIL_HELD_BY_CUSTOMER")
      logger.error("ADMIN_EMAIL belongs to a customer account; it was not promoted");
    else logger.info("admin bootstrap", { outcome: adminBootstrap });

    const purge =
      config.REFRESH_TOKEN_PURGE_INTERVAL_MS > 0
        ? startIntervalLoop(
            async () => {
              const deleted = await purgeRefreshTokens(
                { refreshTokens, clock },
                config.REFRESH_TOKEN_PURGE_BATCH_SIZE,
              );
              authMetrics.refreshTokensPurged(deleted);
              if (deleted > 0) logger.info("refresh tokens purged", { deleted });
            },
            { name: "refresh token purge", intervalMs: config.REFRESH_TOKEN_PURGE_INTERVAL_MS },
            logger,
          )
        : undefined;

    const app = createHttpApp({
      trustProxy: config.TRUST_PROXY,
      service: "auth",
      logger,
      metrics,
      readiness: [databaseCheck(prisma), redisCheck(redis)],
      openapi: authOpenApiDocument,
      routes: (express) => {
        internalUserRoutes({
          lookUpUser: (userId) => lookUpUser({ users }, userId),
          lookUpUsers: (userIds) => lookUpUsers({ users }, userIds),
          internalTokens: config.INTERNAL_TOKENS,
        })(express);
        authRoutes({
          useCases,
          verifier: keySetTokenVerifier(keys, {
            issuer: config.JWT_ISSUER,
            audience: config.JWT_AUDIENCE,
          }),
          metrics: authMetrics,
          logger,
          jwks: () => jwks,
          quotas: {
            login: {
              limits,
              windowSeconds: config.LOGIN_THROTTLE_WINDOW_SECONDS,
            },
            register: registration.limits,
          },
        })(express);
      },
    });
    const server = await startHttpServer(app, {
      port: config.PORT,
      host: config.HOST,
      logger,
      closers: [async () => purge?.stop(), closeClients],
    });
    logger.info("auth listening", { port: server.port, kids: jwks.keys.map((k) => k.kid) });
    return { url: server.url, port: server.port, jwks, adminBootstrap, close: server.close };
  } catch (error) {
    await closeClients();
    throw error;
  }
}

if (require.main === module) {
  runUntilSignalled(
    "auth",
    () => loadAuthConfig(process.env),
    (config, logger) => startAuth(config, { logger }),
  );
}
