import { createPrismaClient } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type AuthPrisma = InstanceType<typeof PrismaClient>;

export const createAuthPrisma = (databaseUrl: string, poolSize: number): AuthPrisma =>
  createPrismaClient(PrismaClient, databaseUrl, poolSize);
