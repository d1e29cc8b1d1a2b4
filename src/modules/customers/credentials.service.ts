import type { Queryable, Trx } from '../../db/database.js';
import * as repo from './customers.repository.js';
import type { CustomerResponse } from './customers.schemas.js';
import { toCustomerResponse } from './customers.service.js';

// What the auth module needs of a customer's credentials besides logging in: finding the
// account a password reset names, setting the new password, and signing out everywhere.
// Each change of credentials raises the token version, so every token issued before ends.

/** The live customer with this email (regardless of case), as the API answers it. */
export async function findCustomerByEmail(db: Queryable, email: string): Promise<CustomerResponse | undefined> {
  const row = await repo.findCustomerByEmail(db, email);
  return row && toCustomerResponse(row);
}

/**
 * Sets a live customer's password (already hashed: hashing is slow, so it happens before the
 * transaction) and ends every token issued before, in the caller's transaction. False when
 * the customer is gone.
 */
export async function setPasswordEndingTokens(trx: Trx, customerId: number, passwordHash: string, now: string): Promise<boolean> {
  const row = await repo.updateCustomerById(trx, customerId, { password_hash: passwordHash, updated_at: now }, true);
  return row !== undefined;
}

/** Ends every token the customer holds, on every process (each checks the version in the database). */
export async function endAllTokens(db: Queryable, customerId: number): Promise<void> {
  await repo.raiseTokenVersion(db, customerId);
}
