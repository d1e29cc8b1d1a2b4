import type { Kysely } from 'kysely';
import { identityColumn, isPostgres, sql } from './portable.js';

/**
 * Checkout in full (contract part two): an order keeps a copy of everything it was priced
 * with (addresses, shipping, tax, the split of its total), a guest's order has no customer,
 * and an Idempotency-Key is scoped to a customer or to a guest cart.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await allowOrdersWithoutCustomer(db);

  const orders = db.schema.alterTable('orders');
  // Orders placed before this migration: no currency recorded (they are answered in the shop's).
  await orders.addColumn('currency', 'text').execute();
  await orders.addColumn('email', 'text').execute();
  await orders.addColumn('note', 'text').execute();
  await orders.addColumn('subtotal_cents', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  await orders.addColumn('shipping_total_cents', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  await orders.addColumn('tax_total_cents', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  await orders.addColumn('prices_include_tax', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await orders.addColumn('shipping_address', 'text').execute();
  await orders.addColumn('billing_address', 'text').execute();
  await orders.addColumn('shipping_rate_id', 'integer').execute();
  await orders.addColumn('shipping_name', 'text').execute();
  await orders.addColumn('shipping_price_cents', 'bigint').execute();
  await orders.addColumn('shipping_tax_cents', 'bigint').execute();
  await orders.addColumn('tax_name', 'text').execute();
  await orders.addColumn('tax_rate_thousandths', 'integer').execute();
  await orders.addColumn('order_token_hash', 'text').execute();
  await sql`update orders set subtotal_cents = total_cents,
    email = (select email from customers where customers.id = orders.customer_id)`.execute(db);
  await db.schema.createIndex('orders_token').unique().on('orders').column('order_token_hash').execute();

  await db.schema.alterTable('order_items').addColumn('tax_cents', 'bigint', (col) => col.notNull().defaultTo(0)).execute();

  await scopeIdempotencyKeys(db);
}

/**
 * orders.customer_id becomes nullable. PostgreSQL alters the column; SQLite cannot, so the
 * orders table and the two that reference it are rebuilt, children dropped before their
 * parent so no foreign key is ever broken (this runs inside the migration's transaction,
 * with foreign keys on). Renaming a table rewrites the references to it.
 */
async function allowOrdersWithoutCustomer(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`alter table orders alter column customer_id drop not null`.execute(db);
    return;
  }
  await db.schema
    .createTable('orders_v2')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('customer_id', 'integer', (col) => col.references('customers.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('total_cents', 'bigint', (col) => col.notNull().check(sql`total_cents >= 0`))
    .addColumn('tracking_number', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await sql`insert into orders_v2 (id, customer_id, status, total_cents, tracking_number, created_at, updated_at)
    select id, customer_id, status, total_cents, tracking_number, created_at, updated_at from orders`.execute(db);

  await db.schema
    .createTable('order_items_v2')
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders_v2.id'))
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('product_name', 'text', (col) => col.notNull())
    .addColumn('unit_price_cents', 'bigint', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull().check(sql`quantity > 0`))
    .addColumn('line_total_cents', 'bigint', (col) => col.notNull())
    .addColumn('stock_taken', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('order_items_pk', ['order_id', 'product_id'])
    .execute();
  await sql`insert into order_items_v2 select order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents, stock_taken
    from order_items`.execute(db);

  await db.schema
    .createTable('order_events_v2')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders_v2.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'text', (col) => col.notNull())
    .execute();
  await sql`insert into order_events_v2 select id, order_id, status, note, at from order_events`.execute(db);

  for (const table of ['order_events', 'order_items', 'orders']) await db.schema.dropTable(table).execute();
  for (const table of ['orders', 'order_items', 'order_events']) await db.schema.alterTable(`${table}_v2`).renameTo(table).execute();
  await db.schema.createIndex('orders_customer_newest').on('orders').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('order_events_order').on('order_events').columns(['order_id', 'id']).execute();
}

/**
 * A key was scoped to a customer; a guest checkout scopes it to its cart. The scope is a
 * text such as "customer:7" or "cart:<id>", and the table is rebuilt around it (its rows
 * live a day, nothing references them).
 */
async function scopeIdempotencyKeys(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys_v2')
    .addColumn('scope', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer', (col) => col.notNull())
    .addColumn('response_body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_scope_pk', ['scope', 'key'])
    .execute();
  await sql`insert into idempotency_keys_v2 (scope, key, request_hash, response_status, response_body, created_at)
    select 'customer:' || customer_id, key, request_hash, response_status, response_body, created_at from idempotency_keys`.execute(db);
  await db.schema.dropTable('idempotency_keys').execute();
  await db.schema.alterTable('idempotency_keys_v2').renameTo('idempotency_keys').execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('0011_order_checkout cannot be undone: guest orders have no customer to give back');
}
