import type { Kysely } from 'kysely';
import { identityColumn, sql } from './portable.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('customer_name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('phone', 'text')
    .addColumn('username', 'text', (col) => col.notNull())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('role_id', 'integer', (col) => col.notNull())
    .addColumn('token_version', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  // Case-insensitive uniqueness among live customers: a deleted customer frees its username and email.
  await sql`create unique index customers_username_live on customers (lower(username)) where deleted_at is null`.execute(db);
  await sql`create unique index customers_email_live on customers (lower(email)) where deleted_at is null`.execute(db);

  await db.schema
    .createTable('products')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('product_name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('price_cents', 'bigint', (col) => col.notNull().check(sql`price_cents >= 0`))
    .addColumn('stock', 'integer', (col) => col.check(sql`stock >= 0`))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await sql`create index products_live_price on products (price_cents, id) where deleted_at is null`.execute(db);
  await sql`create index products_live_created on products (created_at, id) where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('products').execute();
  await db.schema.dropTable('customers').execute();
}
