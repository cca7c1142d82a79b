import { createPrismaClient } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type NotifierPrisma = InstanceType<typeof PrismaClient>;

export const createNotifierPrisma = (databaseUrl: string, poolSize: number): NotifierPrisma =>
  createPrismaClient(PrismaClient, databaseUrl, poolSize);
