import { sql } from 'kysely';
import type { CustomerRow, CustomerRowUpdate, Db, NewCustomerRow } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { ROLE_ADMIN } from '../../shared/access.js';

export function findCustomerById(db: Db, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Usernames are unique regardless of case, so they are looked up that way too. */
export function findCustomerByUsername(db: Db, username: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

// Runs on every authenticated request.
const tokenHolderById = compileOnce((db, id: number) =>
  db.selectFrom('customers').select(['id', 'role_id', 'token_version']).where('id', '=', id).where('deleted_at', 'is', null),
);

export async function findTokenHolderById(db: Db, id: number) {
  return (await tokenHolderById(db, id)).rows[0];
}

export function listCustomers(db: Db): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
}

export function insertCustomer(db: Db, row: NewCustomerRow): Promise<CustomerRow> {
  return db.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateCustomerById(db: Db, id: number, patch: CustomerRowUpdate): Promise<CustomerRow | undefined> {
  return db
    .updateTable('customers')
    .set(patch)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Which of a username and an email a live customer other than `exceptId` already holds. */
export async function findTakenIdentity(db: Db, username: string | undefined, email: string | undefined, exceptId = 0) {
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
 * Counts the live admins and holds their rows until the transaction ends, so two requests
 * removing two different admins cannot both see the other one left. The no-op update takes
 * row locks on PostgreSQL (a waiting one then recounts); SQLite's BEGIN IMMEDIATE already serialises.
 */
export async function lockLiveAdmins(trx: Db): Promise<number> {
  const result = await trx
    .updateTable('customers')
    .set({ role_id: ROLE_ADMIN })
    .where('role_id', '=', ROLE_ADMIN)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function countCustomers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
