import { createPrismaAdapter } from "@app/shared";
import { PrismaClient } from "./prisma/generated/client";

export function createOrderPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  return new PrismaClient({
    adapter: createPrismaAdapter(databaseUrl, { connectionLimit: poolSize }),
  });
}
