import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import type { CustomerRow, Db } from '../../db/database.js';
import type { Actor } from '../../shared/access.js';
import { type AttemptLimiter, hitAll, releaseAll } from '../../shared/attempt-limiter.js';
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../../shared/errors.js';
import { clientsOf, verifyPassword } from '../../shared/passwords.js';
import { createAttemptLimiter } from '../../shared/redis-attempt-limiter.js';
import { endAllTokens } from '../customers/credentials.service.js';
import type { CustomerResponse, RegisterCustomerBody } from '../customers/customers.schemas.js';
import { type SelfChangeGuard, createCustomer, findCustomerForLogin } from '../customers/customers.service.js';
import type { LoginBody, LoginResponse } from './auth.schemas.js';

/** The throttles of the contract's "Authentication and roles", each a fixed window of attempts. */
export interface AuthLimiters {
  /** Failed logins for one username from one address: low, so guessing is slow. */
  failedLoginsPerUsernameAndAddress: AttemptLimiter;
  /** Failed logins from one address, whatever the usernames. */
  failedLoginsPerAddress: AttemptLimiter;
  /** Failed logins for one username from every address: much higher, so a stranger cannot lock a customer out. */
  failedLoginsPerUsername: AttemptLimiter;
  registrationsPerAddress: AttemptLimiter;
  /** Changes of one's own username or email (each tells whether another customer holds it), per account and per address. */
  identityProbes: AttemptLimiter;
  /** Password reset requests from one address, and for one email (lower-cased), whoever owns it. */
  passwordResetsPerAddress: AttemptLimiter;
  passwordResetsPerEmail: AttemptLimiter;
}

const HOUR_SECONDS = 3600;

/** Counters shared through Redis when there is one (falling back to this process's own), else in memory. */
export function createAuthLimiters(config: Config, redis: Redis | undefined, log: FastifyBaseLogger): AuthLimiters {
  const store = { redis, keyPrefix: config.redisKeyPrefix, log };
  const limiter = (name: string, maxAttempts: number, windowSeconds: number) => createAttemptLimiter(store, name, maxAttempts, windowSeconds);
  return {
    failedLoginsPerUsernameAndAddress: limiter('login-username-address', config.loginMaxFailures, config.loginWindowSeconds),
    failedLoginsPerAddress: limiter('login-address', config.loginMaxFailuresPerAddress, config.loginWindowSeconds),
    failedLoginsPerUsername: limiter('login-username', config.loginMaxFailuresPerUsername, config.loginWindowSeconds),
    registrationsPerAddress: limiter('register-address', config.registerMaxPerAddress, HOUR_SECONDS),
    identityProbes: limiter('identity-probe', config.identityChecksMaxPerHour, HOUR_SECONDS),
    passwordResetsPerAddress: limiter('password-reset-address', config.passwordResetMaxPerHour, HOUR_SECONDS),
    passwordResetsPerEmail: limiter('password-reset-email', config.passwordResetMaxPerHour, HOUR_SECONDS),
  };
}

export interface AuthDeps {
  db: Db;
  limiters: AuthLimiters;
  signToken: (claims: { sub: string; role: number; ver: number }) => string;
}

const BAD_CREDENTIALS = 'Invalid username or password.';

/** The counters one password attempt for `username` from `address` goes into. */
function passwordAttempt(limiters: AuthLimiters, username: string, address: string) {
  const name = username.toLowerCase();
  const pair = { limiter: limiters.failedLoginsPerUsernameAndAddress, key: `${address} ${name}` };
  const wider = [
    { limiter: limiters.failedLoginsPerAddress, key: address },
    { limiter: limiters.failedLoginsPerUsername, key: name },
  ];
  return { pair, wider, all: [pair, ...wider] };
}

/**
 * Checks a password attempt under the failed-login throttles: counted before the slow
 * check, in one atomic step per counter, so attempts sent all at once cannot all pass; a
 * success takes its count back (and clears this username's failures from this address), a
 * refused or broken attempt counts nothing. True when the password is right.
 */
async function throttledPasswordCheck(
  limiters: AuthLimiters,
  attempt: { username: string; address: string },
  check: () => Promise<boolean>,
): Promise<boolean> {
  const { pair, wider, all } = passwordAttempt(limiters, attempt.username, attempt.address);
  const wait = await hitAll(all);
  if (wait > 0) throw new TooManyRequestsError('Too many failed logins; try again later.', wait);
  let valid: boolean;
  try {
    valid = await check();
  } catch (error) {
    // A database outage or a full hashing queue is not a failed login: take the attempt back.
    await releaseAll(all);
    throw error;
  }
  if (valid) await Promise.all([pair.limiter.reset(pair.key), releaseAll(wider)]);
  return valid;
}

/** Unknown username and wrong password give the same 401 after the same work; both count as failures. */
export async function login(deps: AuthDeps, input: LoginBody & { address: string }): Promise<LoginResponse> {
  let customer: CustomerRow | undefined;
  const valid = await throttledPasswordCheck(deps.limiters, input, async () => {
    customer = await findCustomerForLogin(deps.db, input.username);
    const matches = await verifyPassword(customer?.password_hash, input.password, clientsOf(input.address));
    return customer !== undefined && matches;
  });
  if (!valid || !customer) throw new UnauthorizedError(BAD_CREDENTIALS);
  const auth_token = deps.signToken({ sub: String(customer.id), role: customer.role_id, ver: customer.token_version });
  return { status: 'success', message: 'Logged in.', auth_token };
}

/** Self-registration always makes a plain customer (role 2), and is limited per address. */
export async function register(
  deps: AuthDeps,
  input: RegisterCustomerBody & { address: string },
): Promise<CustomerResponse> {
  const wait = await hitAll([{ limiter: deps.limiters.registrationsPerAddress, key: input.address }]);
  if (wait > 0) throw new TooManyRequestsError('Too many registrations from this address; try again later.', wait);
  const { address, ...fields } = input;
  return createCustomer(deps.db, fields, clientsOf(address));
}

/**
 * Signs the caller out everywhere: every token issued to it until now stops working, on
 * every process, since each checks the token version in the database on every request.
 */
export async function logout(db: Db, actor: Actor): Promise<{ message: string }> {
  await endAllTokens(db, actor.id);
  return { message: 'Signed out: every token issued to you until now has stopped working.' };
}

/** What the customers module asks before a customer changes its own password, email or username. */
export function selfChangeGuard(limiters: AuthLimiters): SelfChangeGuard {
  return {
    async countIdentityProbe(actor: Actor, address: string) {
      const wait = await hitAll([
        { limiter: limiters.identityProbes, key: `customer:${actor.id}` },
        { limiter: limiters.identityProbes, key: `address:${address}` },
      ]);
      if (wait > 0) throw new TooManyRequestsError('Too many changes of username or email; try again later.', wait);
    },
    async verifyCurrentPassword(customer: CustomerRow, password: string, address: string) {
      const attempt = { username: customer.username, address };
      const valid = await throttledPasswordCheck(limiters, attempt, () =>
        verifyPassword(customer.password_hash, password, clientsOf(address, customer.id)),
      );
      if (!valid) throw new ForbiddenError('current_password is not your password.', 'CURRENT_PASSWORD_WRONG');
    },
  };
}
