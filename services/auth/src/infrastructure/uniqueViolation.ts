import { Prisma } from "./prisma/generated/client";

/** Prisma's P2002: the insert hit a unique index (the race-safe way to detect a duplicate). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
