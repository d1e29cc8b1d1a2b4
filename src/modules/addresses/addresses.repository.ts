import type { CustomerAddressRow, CustomerAddressRowUpdate, NewCustomerAddressRow, Queryable, Trx } from '../../db/database.js';
import { engineOf } from '../../db/engine.js';

// Every write to a customer's address book runs with the customer's row locked
// (lockLiveCustomer), so the count under the cap and the one default are decided by one
// writer at a time; the partial unique index on the default backs that up.

export function findAddressesOf(db: Queryable, customerId: number): Promise<CustomerAddressRow[]> {
  return db.selectFrom('customer_addresses').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
}

export function findAddressOf(db: Queryable, customerId: number, addressId: number): Promise<CustomerAddressRow | undefined> {
  return db
    .selectFrom('customer_addresses')
    .selectAll()
    .where('id', '=', addressId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
}

/**
 * Locks the customer's row until the transaction ends, and says whether it is a live
 * customer: a second change to the same book waits here for the first to commit, then
 * reads what it wrote (SQLite's transactions hold the write lock anyway). A customer
 * deleted meanwhile is not live any more, so nothing is added to its book.
 */
export async function lockLiveCustomer(trx: Trx, customerId: number): Promise<boolean> {
  const query = trx.selectFrom('customers').select('id').where('id', '=', customerId).where('deleted_at', 'is', null);
  return (await engineOf(trx).lockForUpdate(query).executeTakeFirst()) !== undefined;
}

export async function countAddressesOf(trx: Trx, customerId: number): Promise<number> {
  const row = await trx
    .selectFrom('customer_addresses')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function insertAddress(trx: Trx, row: NewCustomerAddressRow): Promise<CustomerAddressRow> {
  return trx.insertInto('customer_addresses').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * The customer's default, other than `keptId`, stops being it. Run before an address is
 * made default, so the unique index on the default never sees two at once.
 */
export async function clearDefaultAddress(trx: Trx, customerId: number, keptId = 0): Promise<void> {
  await trx
    .updateTable('customer_addresses')
    .set({ is_default: 0 })
    .where('customer_id', '=', customerId)
    .where('is_default', '=', 1)
    .where('id', '!=', keptId)
    .execute();
}

export function updateAddressOf(
  trx: Trx,
  customerId: number,
  addressId: number,
  patch: CustomerAddressRowUpdate,
): Promise<CustomerAddressRow | undefined> {
  return trx
    .updateTable('customer_addresses')
    .set(patch)
    .where('id', '=', addressId)
    .where('customer_id', '=', customerId)
    .returningAll()
    .executeTakeFirst();
}

/** False when the customer has no such address. */
export async function deleteAddressOf(db: Queryable, customerId: number, addressId: number): Promise<boolean> {
  const row = await db
    .deleteFrom('customer_addresses')
    .where('id', '=', addressId)
    .where('customer_id', '=', customerId)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteAddressesOf(db: Queryable, customerId: number): Promise<void> {
  await db.deleteFrom('customer_addresses').where('customer_id', '=', customerId).execute();
}
