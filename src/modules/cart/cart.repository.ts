import type { Db } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';

/** The customer's cart lines joined with their live products, by product id. */
const cartLinesOf = compileOnce((db, customerId: number) =>
  db
    .selectFrom('cart_items')
    .innerJoin('products', 'products.id', 'cart_items.product_id')
    .select(['cart_items.product_id', 'cart_items.quantity', 'products.product_name', 'products.price_cents'])
    .where('cart_items.customer_id', '=', customerId)
    .where('products.deleted_at', 'is', null)
    .orderBy('cart_items.product_id'),
);

export async function findCartLines(db: Db, customerId: number) {
  return (await cartLinesOf(db, customerId)).rows;
}

export async function findCartLineQuantity(db: Db, customerId: number, productId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('cart_items')
    .select('quantity')
    .where('customer_id', '=', customerId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return row?.quantity;
}

export async function upsertCartLine(db: Db, customerId: number, productId: number, quantity: number): Promise<void> {
  await db
    .insertInto('cart_items')
    .values({ customer_id: customerId, product_id: productId, quantity, added_at: new Date().toISOString() })
    .onConflict((oc) => oc.columns(['customer_id', 'product_id']).doUpdateSet({ quantity }))
    .execute();
}

export async function deleteCartLine(db: Db, customerId: number, productId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('customer_id', '=', customerId).where('product_id', '=', productId).execute();
}

export async function deleteCartLines(db: Db, customerId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('customer_id', '=', customerId).execute();
}

export async function deleteProductCartLines(db: Db, productId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('product_id', '=', productId).execute();
}
