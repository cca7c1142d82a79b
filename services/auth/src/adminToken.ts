// `node dist/adminToken.js`: prints `{ accessToken, tokenType, expiresIn }` for ADMIN_EMAIL, signed
// with this service's key, read from the same environment as the service. Needs the key and the
// database, so only someone who could run auth itself can use it; the public login's throttle
// does not apply. Exit codes: 0 printed, 1 no such admin or an error, 78 bad configuration.
import { exitOnConfigError } from "@app/shared";
import { issueAdminToken } from "./application/issueAdminToken";
import { loadAuthConfig, signingKeySources } from "./config";
import { JwtAccessTokenIssuer } from "./infrastructure/jwtAccessTokenIssuer";
import { createAuthPrisma } from "./infrastructure/prismaClient";
import { PrismaUserRepository } from "./infrastructure/prismaUserRepository";
import { loadSigningKeys } from "./infrastructure/signingKeys";

async function main(): Promise<number> {
  let config;
  try {
    config = loadAuthConfig(process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const keys = await loadSigningKeys(signingKeySources(config));
  const prisma = createAuthPrisma(config.DATABASE_URL, 1);
  try {
    const outcome = await issueAdminToken(
      {
        users: new PrismaUserRepository(prisma),
        accessTokens: new JwtAccessTokenIssuer(keys, {
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        }),
      },
      config.ADMIN_EMAIL ?? "",
    );
    if (outcome.kind === "not_an_admin") {
      process.stderr.write(`no admin account for ADMIN_EMAIL (${config.ADMIN_EMAIL ?? "unset"})\n`);
      return 1;
    }
    process.stdout.write(
      `${JSON.stringify({
        accessToken: outcome.accessToken,
        tokenType: "Bearer",
        expiresIn: outcome.expiresInSeconds,
      })}\n`,
    );
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `admin token failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
