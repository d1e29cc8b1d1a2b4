import type { CustomerAddressRow, CustomerAddressRowUpdate, Db, Queryable, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import type { Actor } from '../../shared/access.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { assertMayActFor } from '../customers/customers.service.js';
import * as repo from './addresses.repository.js';
import {
  type Address,
  type AddressBookEntry,
  type AddressInput,
  type CreateAddressBody,
  MAX_ADDRESSES_PER_CUSTOMER,
  type UpdateAddressBody,
  toAddress,
} from './addresses.schemas.js';

/** The customer's addresses, oldest first. */
export async function listAddresses(db: Db, actor: Actor, customerId: number): Promise<AddressBookEntry[]> {
  await assertMayActFor(db, actor, customerId);
  return (await repo.findAddressesOf(db, customerId)).map(toEntry);
}

/**
 * A new address, the default one if asked. The count under the cap is read with the
 * customer's row locked, so of many additions at once exactly as many pass as fit.
 */
export async function addAddress(db: Db, actor: Actor, customerId: number, body: CreateAddressBody): Promise<AddressBookEntry> {
  await assertMayActFor(db, actor, customerId);
  const { is_default: isDefault = false, ...fields } = body;
  return inTransaction(db, async (trx) => {
    await lockBook(trx, customerId);
    if ((await repo.countAddressesOf(trx, customerId)) >= MAX_ADDRESSES_PER_CUSTOMER) {
      throw new ConflictError(`A customer keeps at most ${MAX_ADDRESSES_PER_CUSTOMER} addresses; delete one first.`, 'ADDRESS_LIMIT');
    }
    // The old default stops being it before the new one is written: the index allows one.
    if (isDefault) await repo.clearDefaultAddress(trx, customerId);
    const now = new Date().toISOString();
    const row = await repo.insertAddress(trx, {
      customer_id: customerId,
      ...toAddress(fields),
      is_default: isDefault ? 1 : 0,
      created_at: now,
      updated_at: now,
    });
    return toEntry(row);
  });
}

/**
 * Any subset of an address's fields; `is_default: true` makes it the default and the one
 * that was stops being it, in the same transaction. An empty body changes nothing.
 */
export async function updateAddress(
  db: Db,
  actor: Actor,
  customerId: number,
  addressId: number,
  patch: UpdateAddressBody,
): Promise<AddressBookEntry> {
  await assertMayActFor(db, actor, customerId);
  const { is_default: isDefault, ...fields } = patch;
  return inTransaction(db, async (trx) => {
    await lockBook(trx, customerId);
    // Others first, so the index never sees two defaults; an unknown address rolls this back.
    if (isDefault === true) await repo.clearDefaultAddress(trx, customerId, addressId);
    const update: CustomerAddressRowUpdate = { ...addressColumns(fields), updated_at: new Date().toISOString() };
    if (isDefault !== undefined) update.is_default = isDefault ? 1 : 0;
    const row = await repo.updateAddressOf(trx, customerId, addressId, update);
    if (!row) throw new NotFoundError('Address');
    return toEntry(row);
  });
}

/** Deleting the default leaves the customer without one; no other address is promoted. */
export async function removeAddress(db: Db, actor: Actor, customerId: number, addressId: number): Promise<void> {
  await assertMayActFor(db, actor, customerId);
  if (!(await repo.deleteAddressOf(db, customerId, addressId))) throw new NotFoundError('Address');
}

/** For the orders module: one of the customer's addresses as an order copies it; undefined when it has no such address. */
export async function findAddressOf(db: Queryable, customerId: number, addressId: number): Promise<Address | undefined> {
  const row = await repo.findAddressOf(db, customerId, addressId);
  return row && addressOf(row);
}

/** A deleted customer's book goes with it (use-cases/delete-customer.ts); orders keep their own copies. */
export function deleteAddressBook(trx: Trx, customerId: number): Promise<void> {
  return repo.deleteAddressesOf(trx, customerId);
}

async function lockBook(trx: Trx, customerId: number): Promise<void> {
  if (!(await repo.lockLiveCustomer(trx, customerId))) throw new NotFoundError('Customer');
}

/** The columns a partial address sets: an empty optional text clears the field (null). */
function addressColumns(fields: Partial<AddressInput>): CustomerAddressRowUpdate {
  const columns: CustomerAddressRowUpdate = { ...fields };
  for (const field of ['company', 'line2', 'postal_code', 'phone'] as const) {
    if (columns[field] === '') columns[field] = null;
  }
  return columns;
}

function addressOf(row: CustomerAddressRow): Address {
  return {
    first_name: row.first_name,
    last_name: row.last_name,
    company: row.company,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region_code: row.region_code,
    postal_code: row.postal_code,
    country_code: row.country_code,
    phone: row.phone,
  };
}

function toEntry(row: CustomerAddressRow): AddressBookEntry {
  return { id: row.id, ...addressOf(row), is_default: row.is_default === 1, created_at: row.created_at };
}
