import type { Kysely } from 'kysely';
import { identityColumn, sql } from './portable.js';

/**
 * Each customer's address book. Its rows are read by customer, oldest first (the index on
 * customer_id, id), and a partial unique index lets at most one of a customer's addresses
 * be the default, so two requests making different addresses default at once cannot both
 * succeed whatever the code above does.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_addresses')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('customer_id', 'integer', (col) => col.notNull().references('customers.id'))
    .addColumn('first_name', 'text', (col) => col.notNull())
    .addColumn('last_name', 'text', (col) => col.notNull())
    .addColumn('company', 'text')
    .addColumn('line1', 'text', (col) => col.notNull())
    .addColumn('line2', 'text')
    .addColumn('city', 'text', (col) => col.notNull())
    .addColumn('region_code', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('country_code', 'text', (col) => col.notNull())
    .addColumn('phone', 'text')
    .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0).check(sql`is_default in (0, 1)`))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('customer_addresses_customer').on('customer_addresses').columns(['customer_id', 'id']).execute();
  await sql`create unique index customer_addresses_one_default on customer_addresses (customer_id) where is_default = 1`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customer_addresses').execute();
}
