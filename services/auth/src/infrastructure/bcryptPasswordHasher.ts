import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";
import type { PasswordHasher } from "../application/ports";

/**
 * bcrypt reads only the first 72 bytes of its input, and passwords may be 128 characters of
 * multi-byte text; hashing with SHA-256 first makes every character count.
 */
const prehash = (password: string) =>
  createHash("sha256").update(password, "utf8").digest("base64");

export class BcryptPasswordHasher implements PasswordHasher {
  private constructor(
    private readonly cost: number,
    private readonly dummyHash: string,
  ) {}

  /** The dummy hash is made at the configured cost so an unknown email costs what a real one does. */
  static async create(cost: number): Promise<BcryptPasswordHasher> {
    return new BcryptPasswordHasher(
      cost,
      await bcrypt.hash(prehash("dummy password for unknown emails"), cost),
    );
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(prehash(password), this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(prehash(password), hash);
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    await bcrypt.compare(prehash(password), this.dummyHash);
    return false;
  }
}
