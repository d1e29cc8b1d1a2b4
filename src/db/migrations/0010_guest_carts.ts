import type { Kysely } from 'kysely';
import { sql } from './portable.js';

/**
 * Guest carts: a cart whose random id is its only key, and its lines, which have the same
 * columns and rules as a customer's cart_items. A cart's lines go with it (the purge of
 * expired carts and a checkout delete the cart row alone); the index on expires_at is the
 * purge's, the one on product_id a product deletion's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('guest_carts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('guest_carts_expires').on('guest_carts').column('expires_at').execute();

  await db.schema
    .createTable('guest_cart_items')
    .addColumn('cart_id', 'text', (col) => col.notNull().references('guest_carts.id').onDelete('cascade'))
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('quantity', 'integer', (col) => col.notNull().check(sql`quantity > 0`))
    .addColumn('added_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('guest_cart_items_pk', ['cart_id', 'product_id'])
    .execute();
  await db.schema.createIndex('guest_cart_items_product').on('guest_cart_items').column('product_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('guest_cart_items').execute();
  await db.schema.dropTable('guest_carts').execute();
}
