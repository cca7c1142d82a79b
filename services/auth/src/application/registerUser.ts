import { normalizeEmail } from "../domain/email";
import { toPublicUser, type PublicUser } from "../domain/user";
import type {
  Clock,
  HashingSlots,
  IdGenerator,
  PasswordHasher,
  RegistrationCounter,
  UserRepository,
} from "./ports";

export interface RegisterInput {
  email: string;
  password: string;
  name?: string | null;
  clientAddress: string;
}

export interface RegistrationLimits {
  maxPerClient: number;
  windowSeconds: number;
  /** Seconds a BUSY caller is told to wait. */
  busyRetryAfterSeconds: number;
}

/** Where the client stands in its registration window, for the RateLimit headers. */
export interface RegistrationQuota {
  count: number;
  resetsInSeconds: number;
}

export type RegisterOutcome =
  | { kind: "created"; user: PublicUser; quota: RegistrationQuota }
  | { kind: "email_taken"; quota: RegistrationQuota }
  | { kind: "too_many_attempts"; retryAfterSeconds: number; quota: RegistrationQuota }
  | { kind: "busy"; retryAfterSeconds: number };

export interface RegisterDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  clock: Clock;
  ids: IdGenerator;
  registrations: RegistrationCounter;
  hashing: HashingSlots;
  limits: RegistrationLimits;
}

export async function registerUser(
  deps: RegisterDeps,
  input: RegisterInput,
): Promise<RegisterOutcome> {
  // The slot first: a refusal for lack of CPU costs the client none of its quota, and the
  // hashing that does run can never outnumber the slots, so logins keep their share of the CPU.
  if (!deps.hashing.tryAcquire())
    return { kind: "busy", retryAfterSeconds: deps.limits.busyRetryAfterSeconds };
  try {
    const quota = await deps.registrations.count(input.clientAddress);
    if (quota.count > deps.limits.maxPerClient)
      return {
        kind: "too_many_attempts",
        retryAfterSeconds: Math.max(1, quota.resetsInSeconds),
        quota,
      };
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
    if ((await deps.users.create(user)) === "EMAIL_TAKEN") return { kind: "email_taken", quota };
    return { kind: "created", user: toPublicUser(user), quota };
  } finally {
    deps.hashing.release();
  }
}
