import type { Queryable, Trx } from '../../db/database.js';

// password_reset_tokens holds only the SHA-256 of each token (migration 0012), so a copy of
// the table opens no account. Times are ISO 8601 UTC text, which compares in time order.

export function insertResetToken(trx: Trx, row: { token_hash: string; customer_id: number; expires_at: string }): Promise<unknown> {
  return trx.insertInto('password_reset_tokens').values({ ...row, used_at: null }).execute();
}

/** The customer a token that is still usable (unused, unexpired) belongs to, or undefined. */
export async function findUsableResetToken(db: Queryable, tokenHash: string, now: string): Promise<{ customer_id: number } | undefined> {
  return db
    .selectFrom('password_reset_tokens')
    .select('customer_id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Uses a token up, in one conditional write: of any number of requests presenting it at
 * once, exactly one sees a row change. The customer it belongs to, or undefined when it is
 * unknown, used or expired.
 */
export async function consumeResetToken(trx: Trx, tokenHash: string, now: string): Promise<{ customer_id: number } | undefined> {
  return trx
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('customer_id')
    .executeTakeFirst();
}

/** Marks every still unused token of a customer used: one reset ends the others it asked for. */
export async function retireResetTokensOf(trx: Trx, customerId: number, now: string): Promise<void> {
  await trx.updateTable('password_reset_tokens').set({ used_at: now }).where('customer_id', '=', customerId).where('used_at', 'is', null).execute();
}
