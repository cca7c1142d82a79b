import type { ThrottleDecision, ThrottleLimits, ThrottleScope } from "../domain/loginThrottle";
import type { RefreshTokenRecord } from "../domain/refreshToken";
import type { Role, User } from "../domain/user";

export interface NewUser {
  id: string;
  email: string;
  emailNormalized: string;
  name: string | null;
  passwordHash: string;
  role: Role;
  createdAt: Date;
}

export interface UserRepository {
  findById(id: string): Promise<User | null>;
  /** The users among these ids, in no particular order. */
  findByIds(ids: string[]): Promise<User[]>;
  findByNormalizedEmail(emailNormalized: string): Promise<User | null>;
  /** "EMAIL_TAKEN" when the normalized email already exists (the unique index decides). */
  create(user: NewUser): Promise<"CREATED" | "EMAIL_TAKEN">;
  /** Inserts unless the normalized email exists; safe when several replicas race. */
  insertIfAbsent(user: NewUser): Promise<"CREATED" | "EXISTS">;
}

export interface NewRefreshToken {
  id: string;
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  createdAt: Date;
}

export interface RefreshTokenStore {
  create(token: NewRefreshToken): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Marks `usedId` used and stores `next` atomically; false when `usedId` was no longer live. */
  rotate(usedId: string, next: NewRefreshToken, now: Date): Promise<boolean>;
  revokeFamily(familyId: string, now: Date): Promise<number>;
  /** Deletes up to `limit` expired or revoked rows; returns how many went. */
  purge(now: Date, limit: number): Promise<number>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same work as `verify` for an account that does not exist; always false. */
  verifyAgainstDummy(password: string): Promise<false>;
}

export interface AccessTokenIssuer {
  issue(subject: { userId: string; role: Role }): { token: string; expiresInSeconds: number };
}

/**
 * Failed-login counters per (email, client address), per client address and per email, in
 * windows that expire by themselves.
 * An attempt counts as a failure from before its password is checked until it succeeds.
 */
export interface LoginFailureCounters {
  /**
   * Counts the attempt on both counters unless either has reached its limit, as one atomic step:
   * concurrent attempts cannot all pass the check before any of them is counted.
   */
  admit(
    emailNormalized: string,
    clientAddress: string,
    limits: ThrottleLimits,
  ): Promise<ThrottleDecision>;
  /**
   * The attempt succeeded: the (email, client) counter starts over; the client's and the email's
   * counters only get this attempt back, so one good account unlocks no one's guessing.
   */
  recordSuccess(emailNormalized: string, clientAddress: string): Promise<void>;
  /** The attempt ended in an unexpected error, not a verdict: every counter gets it back. */
  withdraw(emailNormalized: string, clientAddress: string): Promise<void>;
}

/** Registrations per client address in fixed windows that expire by themselves. */
export interface RegistrationCounter {
  /** Counts one registration attempt; the count in the window (this one included) and its end. */
  count(clientAddress: string): Promise<{ count: number; resetsInSeconds: number }>;
}

/** A bound on password hashing in flight: a slot is taken before hashing and given back after. */
export interface HashingSlots {
  /** False, at once, when every slot is taken: the caller refuses rather than queues. */
  tryAcquire(): boolean;
  release(): void;
}

/** Outcome counters; the label values are the outcome names the logs use. */
export interface AuthMetrics {
  login(outcome: string): void;
  registration(outcome: string): void;
  refresh(outcome: string): void;
  /** A login refused by throttling, by the counter that refused it. */
  throttled(scope: ThrottleScope): void;
  refreshTokensPurged(count: number): void;
}

export type { Clock, IdGenerator } from "@app/shared";
