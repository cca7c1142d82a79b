import { normalizeEmail } from "../domain/email";
import {
  countsAfterSuccess,
  type FailureCount,
  type ThrottleLimits,
  type ThrottleScope,
} from "../domain/loginThrottle";
import type { User } from "../domain/user";
import type {
  LoginFailureCounters,
  PasswordHasher,
  RefreshTokenStore,
  UserRepository,
} from "./ports";
import { prepareSession, type Session, type SessionDeps } from "./session";

export interface LoginInput {
  email: string;
  password: string;
  clientAddress: string;
}

/** Every outcome carries the throttle counters as they stood, for the RateLimit headers. */
export type LoginOutcome = { throttle: FailureCount[] } & (
  | { kind: "logged_in"; session: Session; userId: string }
  | { kind: "invalid_credentials" }
  | { kind: "too_many_attempts"; scope: ThrottleScope; retryAfterSeconds: number }
);

export interface LoginDeps extends SessionDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  refreshTokens: RefreshTokenStore;
  failures: LoginFailureCounters;
  limits: ThrottleLimits;
}

export async function loginUser(deps: LoginDeps, input: LoginInput): Promise<LoginOutcome> {
  const emailNormalized = normalizeEmail(input.email);
  const { clientAddress } = input;
  // Counted as a failure before the password is checked, so the limit holds for concurrent
  // guesses, and a throttled guesser cannot make us burn CPU.
  const decision = await deps.failures.admit(emailNormalized, clientAddress, deps.limits);
  const throttle = decision.counts;
  if (!decision.allowed)
    return {
      throttle,
      kind: "too_many_attempts",
      scope: decision.scope,
      retryAfterSeconds: decision.retryAfterSeconds,
    };

  const user = await verifiedUser(deps, emailNormalized, input.password).catch(async (error) => {
    // A database outage is no guess: the attempt is given back, so it locks nobody out.
    await deps.failures.withdraw(emailNormalized, clientAddress).catch(() => undefined);
    throw error;
  });
  if (!user) return { throttle, kind: "invalid_credentials" };

  // The (email, client) counter starts over, but the address and the email only get this attempt
  // back: one good account must not unlock a client's guessing, nor a distributed attack's.
  await deps.failures.recordSuccess(emailNormalized, clientAddress);
  const { session, refreshRow } = prepareSession(deps, user, deps.ids.newId());
  await deps.refreshTokens.create(refreshRow);
  return { throttle: countsAfterSuccess(throttle), kind: "logged_in", session, userId: user.id };
}

/** The user when the password is theirs, else null; either way one bcrypt comparison. */
async function verifiedUser(
  deps: Pick<LoginDeps, "users" | "passwords">,
  emailNormalized: string,
  password: string,
): Promise<User | null> {
  const user = await deps.users.findByNormalizedEmail(emailNormalized);
  // An unknown email costs one bcrypt comparison too, so timing does not tell which emails exist.
  if (!user) return deps.passwords.verifyAgainstDummy(password).then(() => null);
  return (await deps.passwords.verify(password, user.passwordHash)) ? user : null;
}
