import { normalizeEmail } from "../domain/email";
import { toPublicUser, type PublicUser } from "../domain/user";
import type { Clock, IdGenerator, PasswordHasher, UserRepository } from "./ports";

export interface RegisterInput {
  email: string;
  password: string;
  name?: string | null;
}

export type RegisterOutcome = { ok: true; user: PublicUser } | { ok: false; error: "EMAIL_TAKEN" };

export interface RegisterDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  clock: Clock;
  ids: IdGenerator;
}

export async function registerUser(
  deps: RegisterDeps,
  input: RegisterInput,
): Promise<RegisterOutcome> {
  const email = input.email.trim();
  const user = {
    id: deps.ids.newId(),
    email,
    emailNormalized: normalizeEmail(email),
    name: input.name ?? null,
    passwordHash: await deps.passwords.hash(input.password),
    role: "CUSTOMER" as const,
    createdAt: deps.clock.now(),
  };
  // The unique index settles concurrent registrations of one address; no read-then-write race.
  if ((await deps.users.create(user)) === "EMAIL_TAKEN") return { ok: false, error: "EMAIL_TAKEN" };
  return { ok: true, user: toPublicUser(user) };
}
