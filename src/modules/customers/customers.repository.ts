import { type RawBuilder, sql } from 'kysely';
import type { CustomerRow, CustomerRowUpdate, NewCustomerRow, Queryable, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { containsText } from '../../db/contains.js';
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

/** Emails are unique regardless of case among live customers, so this finds at most one. */
export function findCustomerByEmail(db: Queryable, email: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Ends every token a live customer holds, in one statement: the database adds one to the
 * version its tokens carry, so two such changes at once (a sign-out and a password change)
 * raise it twice, and every token issued before either stops working. False when no live
 * customer has the id.
 */
export async function raiseTokenVersion(db: Queryable, id: number): Promise<boolean> {
  const result = await db
    .updateTable('customers')
    .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listCustomers(db: Queryable): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
}

/** Live customers by id, those whose name, username or email contains `q` when one is given. */
function liveCustomersMatching(db: Queryable, q: string | undefined) {
  const query = db.selectFrom('customers').where('deleted_at', 'is', null);
  const text = q?.trim();
  if (!text) return query;
  return query.where((eb) =>
    eb.or([containsText('customer_name', text), containsText('username', text), containsText('email', text)]),
  );
}

export function findCustomersPage(db: Queryable, q: string | undefined, limit: number, offset: number): Promise<CustomerRow[]> {
  return liveCustomersMatching(db, q).selectAll().orderBy('id').limit(limit).offset(offset).execute();
}

export async function countLiveCustomers(db: Queryable, q: string | undefined): Promise<number> {
  const row = await liveCustomersMatching(db, q).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
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
  // In id order, so two requests locking them cannot deadlock.
  const query = trx.selectFrom('customers').select('id').where('role_id', '=', ROLE_ADMIN).where('deleted_at', 'is', null).orderBy('id');
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

// The count of each customer's pending orders (migration 0006), kept here for the orders
// module, which places and moves orders: the only statements that write it.

const takeSlot = compileOnce((db, p: { customerId: number; max: number }) =>
  db
    .updateTable('customers')
    .set((eb) => ({ pending_orders: eb('pending_orders', '+', 1) }))
    .where('id', '=', p.customerId)
    .where('pending_orders', '<', p.max),
);

/** One more pending order if the customer holds fewer than `max`, in one conditional update; false at the cap (or gone). */
export async function takePendingOrderSlot(trx: Trx, customerId: number, max: number): Promise<boolean> {
  const result = await takeSlot(trx, { customerId, max });
  return Number(result.numAffectedRows) === 1;
}

/** One pending order fewer (it was paid or cancelled). */
export async function releasePendingOrderSlot(trx: Trx, customerId: number): Promise<void> {
  await trx
    .updateTable('customers')
    .set((eb) => ({ pending_orders: eb('pending_orders', '-', 1) }))
    .where('id', '=', customerId)
    .where('pending_orders', '>', 0)
    .execute();
}

/**
 * As a step of a larger statement (the order's verdict): the customer's pending count,
 * whether it may hold one more, and its email, read with `lockRows` (a row lock on
 * PostgreSQL). A guest's order (no customer) always has room and no email here. The locked
 * read sits in a subquery, where PostgreSQL allows a row lock beside a union.
 */
export function pendingRoomStep(customerId: number | null, max: number, lockRows: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`select * from (
      select pending_orders as pending, case when pending_orders < ${max} then 1 else 0 end as free, email
      from customers where id = ${customerId} and deleted_at is null ${lockRows}
    ) customer
    union all select 0, 1, null where cast(${customerId} as integer) is null`;
}

/**
 * As a step of PostgreSQL's one-statement order: when `go` holds, one more pending order,
 * from the count `room` read with the row locked (the snapshot's own value may be older).
 */
export function countPendingStep(customerId: number | null, room: string, go: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`update customers set pending_orders = (select pending from ${sql.table(room)}) + 1 where id = ${customerId} and ${go}`;
}
