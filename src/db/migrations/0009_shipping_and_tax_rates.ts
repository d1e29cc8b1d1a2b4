import type { Kysely } from 'kysely';
import { identityColumn, sql } from './portable.js';

/**
 * Shipping rates and tax rates, both kept by admins. Amounts are integer cents; a tax rate
 * is an integer in thousandths of a percent (8.875 % is 8875), so no float is ever stored.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shipping_rates')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('price_cents', 'bigint', (col) => col.notNull().check(sql`price_cents >= 0`))
    // JSON text: an array of ISO 3166-1 alpha-2 codes, or ["*"] for everywhere.
    .addColumn('countries', 'text', (col) => col.notNull())
    .addColumn('min_subtotal_cents', 'bigint', (col) => col.check(sql`min_subtotal_cents >= 0`))
    .addColumn('max_subtotal_cents', 'bigint', (col) => col.check(sql`max_subtotal_cents >= 0`))
    .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('tax_rates')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('country_code', 'text', (col) => col.notNull())
    .addColumn('region_code', 'text')
    .addColumn('rate_thousandths', 'integer', (col) => col.notNull().check(sql`rate_thousandths between 0 and 100000`))
    .addColumn('applies_to_shipping', 'integer', (col) => col.notNull().defaultTo(1).check(sql`applies_to_shipping in (0, 1)`))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  // One rate per country and region, the whole country's (region null) included: a unique
  // index counts nulls as distinct on both databases, so it indexes '' in place of null
  // ('' is never a region code). The same index serves the lookup by country.
  await sql`create unique index tax_rates_country_region on tax_rates (country_code, (coalesce(region_code, '')))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tax_rates').execute();
  await db.schema.dropTable('shipping_rates').execute();
}
