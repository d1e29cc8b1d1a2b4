import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { TooManyRequestsError, UnauthorizedError } from '../../shared/errors.js';
import { verifyPassword } from '../../shared/passwords.js';
import { createCustomer, findCustomerForLogin } from '../customers/customers.service.js';
import type { CustomerResponse, RegisterCustomerBody } from '../customers/customers.schemas.js';
import { type AttemptLimiter, MemoryAttemptLimiter } from './attempt-limiter.js';
import { FallbackAttemptLimiter, RedisAttemptLimiter } from './redis-attempt-limiter.js';
import type { LoginBody, LoginResponse } from './auth.schemas.js';

export interface AuthLimiters {
  failedLoginsPerUsername: AttemptLimiter;
  failedLoginsPerAddress: AttemptLimiter;
  registrationsPerAddress: AttemptLimiter;
}

const REGISTRATION_WINDOW_SECONDS = 3600;

/** Counters shared through Redis when there is one (falling back to this process's own), else in memory. */
export function createAuthLimiters(config: Config, redis: Redis | undefined, log: FastifyBaseLogger): AuthLimiters {
  const limiter = (name: string, maxAttempts: number, windowSeconds: number): AttemptLimiter => {
    const local = new MemoryAttemptLimiter(maxAttempts, windowSeconds);
    if (!redis) return local;
    return new FallbackAttemptLimiter(new RedisAttemptLimiter(redis, `${config.redisKeyPrefix}${name}:`, maxAttempts, windowSeconds), local, log);
  };
  return {
    failedLoginsPerUsername: limiter('login-username', config.loginMaxFailures, config.loginWindowSeconds),
    failedLoginsPerAddress: limiter('login-address', config.loginMaxFailuresPerAddress, config.loginWindowSeconds),
    registrationsPerAddress: limiter('register-address', config.registerMaxPerAddress, REGISTRATION_WINDOW_SECONDS),
  };
}

export interface AuthDeps {
  db: Db;
  limiters: AuthLimiters;
  signToken: (claims: { sub: string; role: number; ver: number }) => string;
}

const BAD_CREDENTIALS = 'Invalid username or password.';

/**
 * Unknown username and wrong password give the same 401 after the same work; both count
 * as failures for the username and the address, and too many of either answer 429.
 */
export async function login(deps: AuthDeps, input: LoginBody & { address: string }): Promise<LoginResponse> {
  const { failedLoginsPerUsername: perUsername, failedLoginsPerAddress: perAddress } = deps.limiters;
  const usernameKey = input.username.toLowerCase();
  const wait = Math.max(await perUsername.retryAfter(usernameKey), await perAddress.retryAfter(input.address));
  if (wait > 0) throw new TooManyRequestsError('Too many failed logins; try again later.', wait);
  // Counted as a failure before the slow password check, so guesses sent all at once cannot
  // all pass the check above; a success takes it back.
  await Promise.all([perUsername.record(usernameKey), perAddress.record(input.address)]);

  const customer = await findWithPassword(deps.db, input).catch(async (error: unknown) => {
    // A database error is not a failed login: take the attempt back.
    await Promise.all([perUsername.release(usernameKey), perAddress.release(input.address)]);
    throw error;
  });
  if (!customer) throw new UnauthorizedError(BAD_CREDENTIALS);
  await Promise.all([perUsername.reset(usernameKey), perAddress.release(input.address)]);
  const auth_token = deps.signToken({ sub: String(customer.id), role: customer.role_id, ver: customer.token_version });
  return { status: 'success', message: 'Logged in.', auth_token };
}

/** The customer these credentials belong to, or undefined; the same work either way. */
async function findWithPassword(db: Db, { username, password }: LoginBody) {
  const customer = await findCustomerForLogin(db, username);
  const valid = await verifyPassword(customer?.password_hash, password);
  return customer && valid ? customer : undefined;
}

/** Self-registration always makes a plain customer (role 2), and is limited per address. */
export async function register(
  deps: AuthDeps,
  input: RegisterCustomerBody & { address: string },
): Promise<CustomerResponse> {
  const { registrationsPerAddress } = deps.limiters;
  const wait = await registrationsPerAddress.retryAfter(input.address);
  if (wait > 0) throw new TooManyRequestsError('Too many registrations from this address; try again later.', wait);
  await registrationsPerAddress.record(input.address);
  const { address: _address, ...fields } = input;
  return createCustomer(deps.db, fields);
}
