import { normalizeEmail } from "../domain/email";
import type { Clock, IdGenerator, PasswordHasher, UserRepository } from "./ports";

export type BootstrapOutcome = "CREATED" | "EXISTS" | "EMAIL_HELD_BY_CUSTOMER";

export interface BootstrapDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Creates the configured admin when absent. An existing account is left alone: its password
 * may have been changed since, and a customer who registered that address is never promoted
 * (whoever chose its password would become admin).
 */
export async function bootstrapAdmin(
  deps: BootstrapDeps,
  admin: { email: string; password: string },
): Promise<BootstrapOutcome> {
  const email = admin.email.trim();
  const emailNormalized = normalizeEmail(email);
  const existing = await deps.users.findByNormalizedEmail(emailNormalized);
  if (existing) return existing.role === "ADMIN" ? "EXISTS" : "EMAIL_HELD_BY_CUSTOMER";
  const inserted = await deps.users.insertIfAbsent({
    id: deps.ids.newId(),
    email,
    emailNormalized,
    name: "Administrator",
    passwordHash: await deps.passwords.hash(admin.password),
    role: "ADMIN",
    createdAt: deps.clock.now(),
  });
  return inserted;
}
