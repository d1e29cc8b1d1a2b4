import { sql } from 'kysely';
import { compileOnce } from '../../db/compile-once.js';
import type { NewTaxRateRow, Queryable, TaxRateRow, TaxRateRowUpdate } from '../../db/database.js';

export function listTaxRates(db: Queryable): Promise<TaxRateRow[]> {
  return db.selectFrom('tax_rates').selectAll().orderBy('id').execute();
}

/**
 * The region's rate if there is one, else the whole country's, in one query that walks the
 * unique index on (country_code, coalesce(region_code, '')) for just those two keys: the
 * country's rate is indexed under '' (never a region code), which sorts before any region,
 * so descending order puts the region's first. With no region both keys are '' and only the
 * country's is found. (Sorting on a CASE made SQLite build a temporary b-tree per order:
 * 16.7 -> 4.1 µs a lookup.)
 */
// Runs with every order placed that has a tax country.
const rateForPlace = compileOnce((db, p: { country: string; region: string }) =>
  db
    .selectFrom('tax_rates')
    .selectAll()
    .where('country_code', '=', p.country)
    .where(sql`coalesce(region_code, '')`, 'in', [p.region, ''])
    .orderBy(sql`coalesce(region_code, '')`, 'desc')
    .limit(1),
);

export async function findTaxRateForPlace(db: Queryable, country: string, region: string | null): Promise<TaxRateRow | undefined> {
  return (await rateForPlace(db, { country, region: region ?? '' })).rows[0];
}

/** Throws a unique violation when the country and region already have a rate (the index decides, race-free). */
export function insertTaxRate(db: Queryable, row: NewTaxRateRow): Promise<TaxRateRow> {
  return db.insertInto('tax_rates').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Throws a unique violation when the country and region it moves to already have a rate. */
export function updateTaxRateById(db: Queryable, id: number, patch: TaxRateRowUpdate): Promise<TaxRateRow | undefined> {
  return db.updateTable('tax_rates').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteTaxRateById(db: Queryable, id: number): Promise<boolean> {
  const result = await db.deleteFrom('tax_rates').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
