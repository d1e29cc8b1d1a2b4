import { sql } from 'kysely';
import type { CustomerRow, CustomerRowUpdate, NewCustomerRow, Queryable, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';
import { ROLE_ADMIN } from '../../shared/access.js';

export function findCustomerById(db: Queryable, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Usernames are unique regardless of case, so they are looked up that way too. */
export function findCustomerByUsername(db: Queryable, username: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

// Runs on every authenticated request.
const tokenHolderById = compileOnce((db, p: { id: number }) =>
  db.selectFrom('customers').select(['id', 'role_id', 'token_version']).where('id', '=', p.id).where('deleted_at', 'is', null),
);

export async function findTokenHolderById(db: Queryable, id: number) {
  return (await tokenHolderById(db, { id })).rows[0];
}

export function listCustomers(db: Queryable): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
}

export function insertCustomer(db: Queryable, row: NewCustomerRow): Promise<CustomerRow> {
  return db.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Changes a live customer. With `endTokens`, its token version goes up by one in the same
 * statement (the database adds, so two changes at once raise it twice, and every token
 * issued before either stops working).
 */
export function updateCustomerById(
  db: Queryable,
  id: number,
  patch: CustomerRowUpdate,
  endTokens = false,
): Promise<CustomerRow | undefined> {
  return db
    .updateTable('customers')
    .set((eb) => (endTokens ? { ...patch, token_version: eb('token_version', '+', 1) } : patch))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Which of a username and an email a live customer other than `exceptId` already holds. */
export async function findTakenIdentity(db: Queryable, username: string | undefined, email: string | undefined, exceptId = 0) {
  if (username === undefined && email === undefined) return { username: false, email: false };
  const holders = await db
    .selectFrom('customers')
    .select(['username', 'email'])
    .where('deleted_at', 'is', null)
    .where('id', '!=', exceptId)
    .where((eb) =>
      eb.or([
        eb(sql`lower(username)`, '=', (username ?? '').toLowerCase()),
        eb(sql`lower(email)`, '=', (email ?? '').toLowerCase()),
      ]),
    )
    .execute();
  return {
    username: holders.some((h) => h.username.toLowerCase() === username?.toLowerCase()),
    email: holders.some((h) => h.email.toLowerCase() === email?.toLowerCase()),
  };
}

/**
 * The live admins' ids, their rows held until the transaction ends, so two requests
 * removing two different admins cannot both see the other one left: the second waits, then
 * reads the first one's change.
 */
export async function lockLiveAdmins(trx: Trx): Promise<number[]> {
  const query = trx.selectFrom('customers').select('id').where('role_id', '=', ROLE_ADMIN).where('deleted_at', 'is', null);
  const rows = await engineOf(trx).lockForUpdate(query).execute();
  return rows.map((row) => row.id);
}

export async function countCustomers(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
