import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';

/** The customer's cart lines joined with their live products, by product id. */
const cartLinesOf = compileOnce((db, p: { customerId: number }) =>
  db
    .selectFrom('cart_items')
    .innerJoin('products', 'products.id', 'cart_items.product_id')
    .select(['cart_items.product_id', 'cart_items.quantity', 'products.product_name', 'products.price_cents'])
    .where('cart_items.customer_id', '=', p.customerId)
    .where('products.deleted_at', 'is', null)
    .orderBy('cart_items.product_id'),
);

export async function findCartLines(db: Queryable, customerId: number) {
  return (await cartLinesOf(db, { customerId })).rows;
}

export async function findCartLineQuantity(db: Queryable, customerId: number, productId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('cart_items')
    .select('quantity')
    .where('customer_id', '=', customerId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return row?.quantity;
}

/**
 * Adds `quantity` units to a cart line, creating it, in one statement that also decides
 * whether they may be added: the product is live, the line stays within `maxLine` units,
 * and a tracked stock covers the whole line. The database adds to the quantity it holds,
 * so concurrent adds to one line all count, and of concurrent adds near a limit exactly
 * as many pass as fit under the line cap. (The stock is read as the statement began: a cart
 * reserves nothing, and the order checks the stock again on locked rows.) A product deleted
 * meanwhile may leave a line behind; every read of a cart and every checkout passes over
 * lines of deleted products. Returns the line's new quantity, or undefined when the units
 * were refused.
 */
export async function addCartUnits(
  trx: Trx,
  line: { customerId: number; productId: number; quantity: number; maxLine: number },
): Promise<number | undefined> {
  const { customerId, productId, quantity, maxLine } = line;
  const liveProduct = trx
    .selectFrom('products')
    .select([
      sql<number>`cast(${customerId} as integer)`.as('customer_id'),
      'id as product_id',
      sql<number>`cast(${quantity} as integer)`.as('quantity'),
      sql<string>`cast(${new Date().toISOString()} as text)`.as('added_at'),
    ])
    .where('id', '=', productId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('stock', 'is', null), eb('stock', '>=', quantity)]));
  const row = await trx
    .insertInto('cart_items')
    .columns(['customer_id', 'product_id', 'quantity', 'added_at'])
    .expression(liveProduct)
    .onConflict((conflict) =>
      conflict
        .columns(['customer_id', 'product_id'])
        .doUpdateSet((eb) => ({ quantity: eb('cart_items.quantity', '+', eb.ref('excluded.quantity')) }))
        .where(sql<boolean>`cart_items.quantity + excluded.quantity <= ${maxLine}`)
        .where(sql<boolean>`coalesce((select stock from products where id = excluded.product_id), ${maxLine}) >= cart_items.quantity + excluded.quantity`),
    )
    .returning('quantity')
    .executeTakeFirst();
  return row?.quantity;
}

/**
 * How many lines of live products the customer's cart holds, read with the customer's row
 * locked until the transaction ends: of two adds of new products at once, the second
 * counts after the first has committed (SQLite's transactions hold the write lock anyway).
 */
export async function countCartLinesLocked(trx: Trx, customerId: number): Promise<number> {
  await engineOf(trx).lockForUpdate(trx.selectFrom('customers').select('id').where('id', '=', customerId)).execute();
  const row = await trx
    .selectFrom('cart_items')
    .innerJoin('products', 'products.id', 'cart_items.product_id')
    .select((eb) => eb.fn.countAll<number>().as('lines'))
    .where('cart_items.customer_id', '=', customerId)
    .where('products.deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.lines);
}

/**
 * Takes `quantity` units off a line in one conditional statement each way: fewer than the
 * line holds come off it; as many or more remove it. Undefined when the line is not there,
 * or changed between the two statements (the caller tries again).
 */
export async function takeCartUnits(trx: Trx, customerId: number, productId: number, quantity: number): Promise<'lowered' | 'removed' | undefined> {
  const lowered = await trx
    .updateTable('cart_items')
    .set((eb) => ({ quantity: eb('quantity', '-', quantity) }))
    .where('customer_id', '=', customerId)
    .where('product_id', '=', productId)
    .where('quantity', '>', quantity)
    .returning('quantity')
    .executeTakeFirst();
  if (lowered) return 'lowered';
  const removed = await trx
    .deleteFrom('cart_items')
    .where('customer_id', '=', customerId)
    .where('product_id', '=', productId)
    .where('quantity', '<=', quantity)
    .returning('quantity')
    .executeTakeFirst();
  return removed ? 'removed' : undefined;
}

/** Removes a whole line; false when it was not there. */
export async function deleteCartLine(db: Queryable, customerId: number, productId: number): Promise<boolean> {
  const row = await db
    .deleteFrom('cart_items')
    .where('customer_id', '=', customerId)
    .where('product_id', '=', productId)
    .returning('quantity')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes every line of live products out of the cart and answers them: deleting is what
 * claims them, so of two checkouts of one cart at once the second waits for the first and
 * then finds nothing to take. Rolled back with the transaction if the order fails.
 */
export function takeCartLines(trx: Trx, customerId: number): Promise<{ product_id: number; quantity: number }[]> {
  return trx
    .deleteFrom('cart_items')
    .where('customer_id', '=', customerId)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('products').select('id').whereRef('products.id', '=', 'cart_items.product_id').where('products.deleted_at', 'is', null)),
    )
    .returning(['product_id', 'quantity'])
    .execute();
}

export async function deleteCartLines(db: Queryable, customerId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('customer_id', '=', customerId).execute();
}

export async function deleteProductCartLines(db: Queryable, productId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('product_id', '=', productId).execute();
}
