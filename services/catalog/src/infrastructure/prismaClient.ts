import { createPrismaAdapter } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type CatalogPrisma = InstanceType<typeof PrismaClient>;

export function createCatalogPrisma(databaseUrl: string, poolSize: number): CatalogPrisma {
  return new PrismaClient({
    adapter: createPrismaAdapter(databaseUrl, { connectionLimit: poolSize }),
  });
}
