import type { NewShippingRateRow, Queryable, ShippingRateRow, ShippingRateRowUpdate, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';

// Runs with every order placed (checkout chooses among the active rates).
const activeRates = compileOnce((db) => db.selectFrom('shipping_rates').selectAll().where('active', '=', 1).orderBy('id'));

export async function listShippingRates(db: Queryable, options: { activeOnly: boolean }): Promise<ShippingRateRow[]> {
  if (options.activeOnly) return (await activeRates(db, {})).rows;
  return db.selectFrom('shipping_rates').selectAll().orderBy('id').execute();
}

export function findShippingRateById(db: Queryable, id: number): Promise<ShippingRateRow | undefined> {
  return db.selectFrom('shipping_rates').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The rate, held against other writers until the transaction ends: its bounds decide the update. */
export function lockShippingRateById(trx: Trx, id: number): Promise<ShippingRateRow | undefined> {
  return engineOf(trx).lockForUpdate(trx.selectFrom('shipping_rates').selectAll().where('id', '=', id)).executeTakeFirst();
}

export async function activeShippingRateExists(db: Queryable): Promise<boolean> {
  const row = await db.selectFrom('shipping_rates').select('id').where('active', '=', 1).limit(1).executeTakeFirst();
  return row !== undefined;
}

export function insertShippingRate(db: Queryable, row: NewShippingRateRow): Promise<ShippingRateRow> {
  return db.insertInto('shipping_rates').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateShippingRateById(db: Queryable, id: number, patch: ShippingRateRowUpdate): Promise<ShippingRateRow | undefined> {
  return db.updateTable('shipping_rates').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteShippingRateById(db: Queryable, id: number): Promise<boolean> {
  const result = await db.deleteFrom('shipping_rates').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
