import { createPrismaClient } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type CatalogPrisma = InstanceType<typeof PrismaClient>;

export const createCatalogPrisma = (databaseUrl: string, poolSize: number): CatalogPrisma =>
  createPrismaClient(PrismaClient, databaseUrl, poolSize);
