import { createPrismaAdapter } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type AuthPrisma = InstanceType<typeof PrismaClient>;

export function createAuthPrisma(databaseUrl: string, poolSize: number): AuthPrisma {
  return new PrismaClient({
    adapter: createPrismaAdapter(databaseUrl, { connectionLimit: poolSize }),
  });
}
