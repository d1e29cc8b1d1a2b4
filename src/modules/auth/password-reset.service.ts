import { createHash, createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { type AttemptLimiter, hitAll, releaseAll } from '../../shared/attempt-limiter.js';
import { TooManyRequestsError, ValidationError } from '../../shared/errors.js';
import { clientsOf, hashPassword } from '../../shared/passwords.js';
import { findCustomerByEmail, setPasswordEndingTokens } from '../customers/credentials.service.js';
import { recordEvent } from '../events/events.service.js';
import type { PasswordResetBody, PasswordResetConfirmBody } from './auth.schemas.js';
import * as repo from './password-reset.repository.js';

// The contract's "Password reset and signing out" (signing out is auth.service's). No token is ever stored as it is, not even
// in the event the mailer receives: the database keeps the token's SHA-256 (to find it) and
// the event keeps a random nonce, from which only the holder of JWT_SECRET derives the token
// (presentPasswordResetEvent, when the event is delivered or listed). So a copy of the
// database, a backup or a read-only SQL injection opens no account.

export interface PasswordResetDeps {
  db: Db;
  limiters: { passwordResetsPerAddress: AttemptLimiter; passwordResetsPerEmail: AttemptLimiter };
  /** JWT_SECRET: the key tokens are derived with. */
  secret: string;
  ttlSeconds: number;
}

/**
 * A reset request is answered no sooner than this after it began. The one step only a live
 * customer's request takes, committing a write, costs a few milliseconds more than the read
 * an unknown email's ends with (on PostgreSQL, a WAL flush): enough to tell them apart by
 * timing. Under the floor both take the same time; no person notices a tenth of a second.
 */
export const RESET_ANSWER_FLOOR_MS = 100;

const REQUESTED = 'If that email belongs to an account, a link to reset its password is on its way.';
const UNUSABLE_TOKEN = 'is not a usable reset token: it is unknown, already used or expired';

/** The token the customer receives, from the nonce its event stores: base64url(HMAC-SHA256(secret, "password-reset:" + nonce)). */
function tokenOf(nonce: string, secret: string): string {
  return createHmac('sha256', secret).update(`password-reset:${nonce}`).digest('base64url');
}

/** What password_reset_tokens stores and looks a token up by: its SHA-256, hex. */
function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The stored data of a customer.password_reset_requested event, `{customer, reset_nonce,
 * expires_at}`, as the contract's consumers receive it: `{customer, token, expires_at}`. Pure:
 * the same data and secret always give the same token. Data without a nonce is given back
 * as it is (less any nonce field).
 */
export function presentPasswordResetEvent(data: Record<string, unknown>, secret: string): Record<string, unknown> {
  const { reset_nonce: nonce, ...rest } = data;
  if (typeof nonce !== 'string') return rest;
  return { customer: data.customer, token: tokenOf(nonce, secret), expires_at: data.expires_at };
}

/**
 * Asks for a reset. The answer is the same whether or not the email belongs to a live
 * customer, and so is the work up to the last step: both count against the throttles, derive
 * a token and look the customer up in a transaction; only for a live customer does that
 * transaction then write the token's hash and the event (together, or neither). Both are
 * answered after the same floor (RESET_ANSWER_FLOOR_MS), so the write does not show in the time.
 */
export async function requestPasswordReset(deps: PasswordResetDeps, input: PasswordResetBody & { address: string }): Promise<{ message: string }> {
  const started = performance.now();
  const email = input.email.toLowerCase();
  const hits = [
    { limiter: deps.limiters.passwordResetsPerAddress, key: input.address },
    { limiter: deps.limiters.passwordResetsPerEmail, key: email },
  ];
  const wait = await hitAll(hits);
  if (wait > 0) throw new TooManyRequestsError('Too many password reset requests; try again later.', wait);

  const nonce = randomBytes(32).toString('base64url');
  const tokenHash = hashOf(tokenOf(nonce, deps.secret));
  const now = new Date();
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000).toISOString();
  try {
    await inTransaction(deps.db, async (trx) => {
      const customer = await findCustomerByEmail(trx, email);
      if (!customer) return;
      await repo.insertResetToken(trx, { token_hash: tokenHash, customer_id: customer.id, expires_at: expiresAt });
      await recordEvent(trx, 'customer.password_reset_requested', { customer, reset_nonce: nonce, expires_at: expiresAt }, now.toISOString());
    });
  } catch (error) {
    // A database outage asked for nothing: the request does not count.
    await releaseAll(hits);
    throw error;
  }
  const left = started + RESET_ANSWER_FLOOR_MS - performance.now();
  if (left > 0) await sleep(left);
  return { message: REQUESTED };
}

/**
 * Sets a new password with a reset token. A token that cannot be used is refused before the
 * (slow) hashing; then it is used up by a conditional write, so of two requests with one token
 * exactly one succeeds, in the transaction that sets the password, ends every token issued
 * before (as a password change does) and retires the customer's other reset tokens.
 */
export async function confirmPasswordReset(deps: PasswordResetDeps, input: PasswordResetConfirmBody & { address: string }): Promise<{ message: string }> {
  const tokenHash = hashOf(input.token);
  const usable = await repo.findUsableResetToken(deps.db, tokenHash, new Date().toISOString());
  if (!usable) throw new ValidationError('/body/token', UNUSABLE_TOKEN);
  const passwordHash = await hashPassword(input.password, clientsOf(input.address, usable.customer_id));
  await inTransaction(deps.db, async (trx) => {
    const now = new Date().toISOString();
    const token = await repo.consumeResetToken(trx, tokenHash, now);
    // A deleted customer's token is as unusable as an unknown one (and stays unused: the transaction rolls back).
    if (!token || !(await setPasswordEndingTokens(trx, token.customer_id, passwordHash, now))) {
      throw new ValidationError('/body/token', UNUSABLE_TOKEN);
    }
    await repo.retireResetTokensOf(trx, token.customer_id, now);
  });
  return { message: 'Your password has been changed; log in with the new one.' };
}
