import { isDuplicateKey } from "@app/shared";
import type { NewUser, UserRepository } from "../application/ports";
import type { User } from "../domain/user";
import type { AuthPrisma } from "./prismaClient";

export class PrismaUserRepository implements UserRepository {
  constructor(private readonly prisma: AuthPrisma) {}

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findByIds(ids: string[]): Promise<User[]> {
    return this.prisma.user.findMany({ where: { id: { in: ids } } });
  }

  findByNormalizedEmail(emailNormalized: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { emailNormalized } });
  }

  async create(user: NewUser): Promise<"CREATED" | "EMAIL_TAKEN"> {
    return (await this.insert(user)) === "CREATED" ? "CREATED" : "EMAIL_TAKEN";
  }

  insertIfAbsent(user: NewUser): Promise<"CREATED" | "EXISTS"> {
    return this.insert(user);
  }

  private async insert(user: NewUser): Promise<"CREATED" | "EXISTS"> {
    try {
      await this.prisma.user.create({ data: { ...user, updatedAt: user.createdAt } });
      return "CREATED";
    } catch (error) {
      if (isDuplicateKey(error)) return "EXISTS";
      throw error;
    }
  }
}
