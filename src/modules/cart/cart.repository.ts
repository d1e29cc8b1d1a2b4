import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import { compileOnce } from '../../db/compile-once.js';
import { engineOf } from '../../db/engine.js';

/**
 * Which cart a statement works on. A customer's lines are in cart_items, owned by the
 * customer's id and held by the customer's row; a guest cart's are in guest_cart_items,
 * owned by the cart's id and held by its guest_carts row. Both carts run the very same
 * statements with the table and the owner column swapped, so what makes them race-free
 * (below) holds for both.
 */
export type CartKey =
  | { lines: 'cart_items'; owner: 'customer_id'; ownerType: 'integer'; holder: 'customers'; id: number }
  | { lines: 'guest_cart_items'; owner: 'cart_id'; ownerType: 'text'; holder: 'guest_carts'; id: string };

export function customerCart(customerId: number): CartKey {
  return { lines: 'cart_items', owner: 'customer_id', ownerType: 'integer', holder: 'customers', id: customerId };
}

export function guestCart(cartId: string): CartKey {
  return { lines: 'guest_cart_items', owner: 'cart_id', ownerType: 'text', holder: 'guest_carts', id: cartId };
}

/** The cart's lines joined with their live products, by product id; compiled once per kind of cart. */
function cartLinesQuery(lines: CartKey['lines'], owner: CartKey['owner']) {
  return compileOnce((db, p: { owner: number | string }) =>
    db
      .selectFrom(db.dynamic.table(lines).as('lines'))
      .innerJoin('products', 'products.id', 'lines.product_id')
      .select(['lines.product_id', 'lines.quantity', 'products.product_name', 'products.price_cents'])
      .where(db.dynamic.ref(`lines.${owner}`), '=', p.owner)
      .where('products.deleted_at', 'is', null)
      .orderBy('lines.product_id'),
  );
}

const cartLinesOf = {
  cart_items: cartLinesQuery('cart_items', 'customer_id'),
  guest_cart_items: cartLinesQuery('guest_cart_items', 'cart_id'),
};

export async function findCartLines(db: Queryable, cart: CartKey) {
  return (await cartLinesOf[cart.lines](db, { owner: cart.id })).rows;
}

export async function findCartLineQuantity(db: Queryable, cart: CartKey, productId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom(cart.lines)
    .select('quantity')
    .where(db.dynamic.ref(cart.owner), '=', cart.id)
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
 *
 * Written as SQL because the query builder types an insert's columns by one table, and
 * this one statement serves both line tables. The casts tell PostgreSQL the types of the
 * values selected into the new line.
 */
export async function addCartUnits(
  trx: Trx,
  cart: CartKey,
  line: { productId: number; quantity: number; maxLine: number },
): Promise<number | undefined> {
  const { productId, quantity, maxLine } = line;
  const lines = sql.table(cart.lines);
  const owner = sql.ref(cart.owner);
  const { rows } = await sql<{ quantity: number }>`
    insert into ${lines} (${owner}, product_id, quantity, added_at)
    select cast(${cart.id} as ${sql.raw(cart.ownerType)}), id, cast(${quantity} as integer), cast(${new Date().toISOString()} as text)
    from products
    where id = ${productId} and deleted_at is null and (stock is null or stock >= ${quantity})
    on conflict (${owner}, product_id) do update set quantity = ${lines}.quantity + excluded.quantity
    where ${lines}.quantity + excluded.quantity <= ${maxLine}
      and coalesce((select stock from products where id = excluded.product_id), ${maxLine}) >= ${lines}.quantity + excluded.quantity
    returning quantity`.execute(trx);
  return rows[0]?.quantity;
}

/**
 * How many lines of live products the cart holds, read with the row that holds the cart
 * (the customer's, or the guest cart's) locked until the transaction ends: of two adds of
 * new products at once, the second counts after the first has committed (SQLite's
 * transactions hold the write lock anyway).
 */
export async function countCartLinesLocked(trx: Trx, cart: CartKey): Promise<number> {
  await engineOf(trx).lockForUpdate(trx.selectFrom(cart.holder).select('id').where('id', '=', cart.id)).execute();
  const row = await trx
    .selectFrom(trx.dynamic.table(cart.lines).as('lines'))
    .innerJoin('products', 'products.id', 'lines.product_id')
    .select((eb) => eb.fn.countAll<number>().as('lines'))
    .where(trx.dynamic.ref(`lines.${cart.owner}`), '=', cart.id)
    .where('products.deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.lines);
}

/**
 * Takes `quantity` units off a line in one conditional statement each way: fewer than the
 * line holds come off it; as many or more remove it. Undefined when the line is not there,
 * or changed between the two statements (the caller tries again).
 */
export async function takeCartUnits(trx: Trx, cart: CartKey, productId: number, quantity: number): Promise<'lowered' | 'removed' | undefined> {
  const lowered = await trx
    .updateTable(cart.lines)
    .set((eb) => ({ quantity: eb('quantity', '-', quantity) }))
    .where(trx.dynamic.ref(cart.owner), '=', cart.id)
    .where('product_id', '=', productId)
    .where('quantity', '>', quantity)
    .returning('quantity')
    .executeTakeFirst();
  if (lowered) return 'lowered';
  const removed = await trx
    .deleteFrom(cart.lines)
    .where(trx.dynamic.ref(cart.owner), '=', cart.id)
    .where('product_id', '=', productId)
    .where('quantity', '<=', quantity)
    .returning('quantity')
    .executeTakeFirst();
  return removed ? 'removed' : undefined;
}

/** Removes a whole line; false when it was not there. */
export async function deleteCartLine(db: Queryable, cart: CartKey, productId: number): Promise<boolean> {
  const row = await db
    .deleteFrom(cart.lines)
    .where(db.dynamic.ref(cart.owner), '=', cart.id)
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
export function takeCartLines(trx: Trx, cart: CartKey): Promise<{ product_id: number; quantity: number }[]> {
  return trx
    .deleteFrom(cart.lines)
    .where(trx.dynamic.ref(cart.owner), '=', cart.id)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('products').select('id').whereRef('products.id', '=', `${cart.lines}.product_id`).where('products.deleted_at', 'is', null)),
    )
    .returning(['product_id', 'quantity'])
    .execute();
}

export async function deleteCartLines(db: Queryable, cart: CartKey): Promise<void> {
  await db.deleteFrom(cart.lines).where(db.dynamic.ref(cart.owner), '=', cart.id).execute();
}

/** A deleted product leaves every cart, customers' and guests' alike. */
export async function deleteProductCartLines(db: Queryable, productId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('product_id', '=', productId).execute();
  await db.deleteFrom('guest_cart_items').where('product_id', '=', productId).execute();
}

// Guest carts themselves. A cart is live until its expires_at; every statement below that
// finds or changes one says so in its own condition, so an expired cart can never be read,
// changed or checked out, whatever runs beside it, and nothing reads first to decide.

export async function insertGuestCart(db: Queryable, cart: { id: string; now: string; expiresAt: string }): Promise<void> {
  await db.insertInto('guest_carts').values({ id: cart.id, created_at: cart.now, updated_at: cart.now, expires_at: cart.expiresAt }).execute();
}

/**
 * Moves a live cart's expiry on, for a change made to it; false when it is unknown or
 * expired. On PostgreSQL the update locks the cart's row until the transaction ends, so the
 * changes to one guest cart run one after another, in the order a checkout locks: the cart,
 * then its lines, then products.
 */
export async function touchLiveGuestCart(trx: Trx, cartId: string, now: string, expiresAt: string): Promise<boolean> {
  const row = await trx
    .updateTable('guest_carts')
    .set({ updated_at: now, expires_at: expiresAt })
    .where('id', '=', cartId)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** When a live cart expires; undefined when it is unknown or expired. */
export async function findLiveGuestCartExpiry(db: Queryable, cartId: string, now: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('guest_carts')
    .select('expires_at')
    .where('id', '=', cartId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.expires_at;
}

/** Locks a live cart's row until the transaction ends; false when it is unknown or expired. */
export async function lockLiveGuestCart(trx: Trx, cartId: string, now: string): Promise<boolean> {
  const row = await engineOf(trx)
    .lockForUpdate(trx.selectFrom('guest_carts').select('id').where('id', '=', cartId).where('expires_at', '>', now))
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes the cart and, by the foreign key's cascade, whatever lines it still holds. */
export async function deleteGuestCart(trx: Trx, cartId: string): Promise<void> {
  await trx.deleteFrom('guest_carts').where('id', '=', cartId).execute();
}

/** Deletes every cart expired by `now`, with its lines (the cascade); answers how many. */
export async function deleteGuestCartsExpiredBy(db: Queryable, now: string): Promise<number> {
  const result = await db.deleteFrom('guest_carts').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
