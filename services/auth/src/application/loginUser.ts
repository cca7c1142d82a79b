import { normalizeEmail } from "../domain/email";
import { decideThrottle, type ThrottleLimits, type ThrottleScope } from "../domain/loginThrottle";
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

export type LoginOutcome =
  | { ok: true; session: Session; userId: string }
  | { ok: false; error: "INVALID_CREDENTIALS" }
  | { ok: false; error: "TOO_MANY_ATTEMPTS"; scope: ThrottleScope; retryAfterSeconds: number };

export interface LoginDeps extends SessionDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  refreshTokens: RefreshTokenStore;
  failures: LoginFailureCounters;
  limits: ThrottleLimits;
}

export async function loginUser(deps: LoginDeps, input: LoginInput): Promise<LoginOutcome> {
  const emailNormalized = normalizeEmail(input.email);
  // Checked before any password work, so a throttled guesser cannot make us burn CPU.
  const decision = decideThrottle(
    await deps.failures.read(emailNormalized, input.clientAddress),
    deps.limits,
  );
  if (!decision.allowed)
    return {
      ok: false,
      error: "TOO_MANY_ATTEMPTS",
      scope: decision.scope,
      retryAfterSeconds: decision.retryAfterSeconds,
    };

  const user = await deps.users.findByNormalizedEmail(emailNormalized);
  // An unknown email costs one bcrypt comparison too, so timing does not tell which emails exist.
  const valid = user
    ? await deps.passwords.verify(input.password, user.passwordHash)
    : await deps.passwords.verifyAgainstDummy(input.password);
  if (!user || !valid) {
    await deps.failures.recordFailure(emailNormalized, input.clientAddress);
    return { ok: false, error: "INVALID_CREDENTIALS" };
  }

  // Only the per-email counter is reset: one good account must not unlock a client's guessing.
  await deps.failures.resetEmail(emailNormalized);
  const { session, refreshRow } = prepareSession(deps, user, deps.ids.newId());
  await deps.refreshTokens.create(refreshRow);
  return { ok: true, session, userId: user.id };
}
