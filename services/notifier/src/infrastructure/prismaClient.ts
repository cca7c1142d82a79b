import { createPrismaAdapter } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type NotifierPrisma = InstanceType<typeof PrismaClient>;

export function createNotifierPrisma(databaseUrl: string, poolSize: number): NotifierPrisma {
  return new PrismaClient({
    adapter: createPrismaAdapter(databaseUrl, { connectionLimit: poolSize }),
  });
}
