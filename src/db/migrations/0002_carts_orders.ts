import type { Kysely } from 'kysely';
import { identityColumn, sql } from './portable.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cart_items')
    .addColumn('customer_id', 'integer', (col) => col.notNull().references('customers.id'))
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('quantity', 'integer', (col) => col.notNull().check(sql`quantity > 0`))
    .addColumn('added_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('cart_items_pk', ['customer_id', 'product_id'])
    .execute();
  await db.schema.createIndex('cart_items_product').on('cart_items').column('product_id').execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('customer_id', 'integer', (col) => col.notNull().references('customers.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('total_cents', 'bigint', (col) => col.notNull().check(sql`total_cents >= 0`))
    .addColumn('tracking_number', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('orders_customer_newest').on('orders').columns(['customer_id', 'id']).execute();

  await db.schema
    .createTable('order_items')
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id'))
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('product_name', 'text', (col) => col.notNull())
    .addColumn('unit_price_cents', 'bigint', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull().check(sql`quantity > 0`))
    .addColumn('line_total_cents', 'bigint', (col) => col.notNull())
    // Whether stock was taken for this line, so a cancel returns exactly what was taken.
    .addColumn('stock_taken', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('order_items_pk', ['order_id', 'product_id'])
    .execute();

  await db.schema
    .createTable('order_events')
    .addColumn('id', 'integer', identityColumn(db))
    .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('order_events_order').on('order_events').columns(['order_id', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('customer_id', 'integer', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer', (col) => col.notNull())
    .addColumn('response_body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['customer_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'order_events', 'order_items', 'orders', 'cart_items']) {
    await db.schema.dropTable(table).execute();
  }
}
