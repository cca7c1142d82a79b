import { createPrismaClient } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export type OrderPrisma = InstanceType<typeof PrismaClient>;

export const createOrderPrisma = (databaseUrl: string, poolSize: number): OrderPrisma =>
  createPrismaClient(PrismaClient, databaseUrl, poolSize);
