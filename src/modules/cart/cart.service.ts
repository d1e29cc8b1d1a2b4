import { randomBytes } from 'node:crypto';
import type { Db, Queryable, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import type { Actor } from '../../shared/access.js';
import { type AttemptLimiter, hitAll, releaseAll } from '../../shared/attempt-limiter.js';
import { ConflictError, InsufficientStockError, NotFoundError, TooManyRequestsError } from '../../shared/errors.js';
import { toMajor } from '../../shared/money.js';
import { type LimiterStore, createAttemptLimiter } from '../../shared/redis-attempt-limiter.js';
import { assertMayActFor } from '../customers/customers.service.js';
import { findLiveProduct } from '../products/products.service.js';
import * as repo from './cart.repository.js';
import type { CartKey } from './cart.repository.js';
import {
  type AddToCartBody,
  type AddToGuestCartBody,
  type CartResponse,
  GUEST_CART_ID_BYTES,
  type GuestCartResponse,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  type RemoveFromCartBody,
  type RemoveFromGuestCartBody,
} from './cart.schemas.js';

/** How often a change that raced another is tried again before giving up with 409. */
const ATTEMPTS = 3;

// ---------------------------------------------------------------------------------------
// A customer's cart

export async function getCart(db: Db, actor: Actor, customerId: number): Promise<CartResponse> {
  await assertMayActFor(db, actor, customerId);
  return readCart(db, customerId);
}

export async function addToCart(db: Db, actor: Actor, input: AddToCartBody): Promise<CartResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  return inTransaction(db, async (trx) => {
    await addUnits(trx, repo.customerCart(input.customer_id), input);
    return readCart(trx, input.customer_id);
  });
}

export async function removeFromCart(db: Db, actor: Actor, input: RemoveFromCartBody): Promise<CartResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  return inTransaction(db, async (trx) => {
    await removeUnits(trx, repo.customerCart(input.customer_id), input);
    return readCart(trx, input.customer_id);
  });
}

export async function clearCart(db: Db, actor: Actor, customerId: number): Promise<CartResponse> {
  await assertMayActFor(db, actor, customerId);
  await repo.deleteCartLines(db, repo.customerCart(customerId));
  return readCart(db, customerId);
}

/** For the orders module's quote: the cart's lines of live products, as a checkout would take them. */
export async function readCartLines(db: Queryable, customerId: number): Promise<{ product_id: number; quantity: number }[]> {
  return unpriced(await repo.findCartLines(db, repo.customerCart(customerId)));
}

/** Claims the cart's lines for a checkout, emptying it (see takeCartLines); in the checkout's transaction. */
export function takeCartForCheckout(trx: Trx, customerId: number) {
  return repo.takeCartLines(trx, repo.customerCart(customerId));
}

export function emptyCart(db: Queryable, customerId: number): Promise<void> {
  return repo.deleteCartLines(db, repo.customerCart(customerId));
}

/** A deleted product leaves every cart: customers' and guests'. */
export function removeProductFromCarts(db: Queryable, productId: number): Promise<void> {
  return repo.deleteProductCartLines(db, productId);
}

async function readCart(db: Queryable, customerId: number): Promise<CartResponse> {
  return { customer_id: customerId, ...(await pricedLines(db, repo.customerCart(customerId))) };
}

// ---------------------------------------------------------------------------------------
// The rules every cart follows, a customer's or a guest's

/**
 * Adds to the line's quantity; a tracked product's stock must cover the whole line, and a
 * cart holds at most MAX_CART_LINES products. The database decides, in the statement that
 * adds (cart.repository's addCartUnits); only when it refused is the reason looked up, to
 * answer it.
 */
async function addUnits(trx: Trx, cart: CartKey, input: { product_id: number; quantity: number }): Promise<void> {
  const line = { productId: input.product_id, quantity: input.quantity, maxLine: MAX_LINE_QUANTITY };
  let added: number | undefined;
  for (let attempt = 1; (added = await repo.addCartUnits(trx, cart, line)) === undefined; attempt += 1) {
    await explainRefusedAdd(trx, cart, line);
    if (attempt === ATTEMPTS) throw new ConflictError('The cart or the stock kept changing; try again.');
  }
  // A line holding exactly the units just added is a new one: the cart may now hold one too many.
  if (added === input.quantity && (await repo.countCartLinesLocked(trx, cart)) > MAX_CART_LINES) {
    throw new ConflictError(`A cart holds at most ${MAX_CART_LINES} products; check out or remove one first.`, 'CART_FULL');
  }
}

/** Why the units could not be added: throws the answer, or returns if nothing stands in the way now (then the add is tried again). */
async function explainRefusedAdd(trx: Trx, cart: CartKey, line: { productId: number; quantity: number }): Promise<void> {
  const product = await findLiveProduct(trx, line.productId);
  const current = (await repo.findCartLineQuantity(trx, cart, line.productId)) ?? 0;
  const wanted = current + line.quantity;
  if (wanted > MAX_LINE_QUANTITY) {
    throw new ConflictError(`A cart line holds at most ${MAX_LINE_QUANTITY} units; it has ${current}.`, 'LINE_LIMIT');
  }
  if (product.stock !== null && wanted > product.stock) {
    throw new InsufficientStockError(product.id, product.product_name, product.stock, wanted);
  }
}

/** Without a quantity the line goes; with one, that many come off (the line goes at zero or below). 404 when the product is not in the cart. */
async function removeUnits(trx: Trx, cart: CartKey, input: { product_id: number; quantity?: number }): Promise<void> {
  if (!(await takeUnits(trx, cart, input.product_id, input.quantity))) throw new NotFoundError('That product in the cart');
}

/** False when the product is not in the cart. */
async function takeUnits(trx: Trx, cart: CartKey, productId: number, quantity: number | undefined): Promise<boolean> {
  if (quantity === undefined) return repo.deleteCartLine(trx, cart, productId);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    if (await repo.takeCartUnits(trx, cart, productId, quantity)) return true;
    // Neither statement matched: the line is gone, or it grew between them.
    if ((await repo.findCartLineQuantity(trx, cart, productId)) === undefined) return false;
  }
  throw new ConflictError('The cart kept changing; try again.');
}

function unpriced(lines: { product_id: number; quantity: number }[]): { product_id: number; quantity: number }[] {
  return lines.map((line) => ({ product_id: line.product_id, quantity: line.quantity }));
}

/** The cart's lines of live products, priced in cents and answered in major units, with their exact total. */
async function pricedLines(db: Queryable, cart: CartKey): Promise<Pick<CartResponse, 'items' | 'total'>> {
  const lines = await repo.findCartLines(db, cart);
  let totalCents = 0;
  const items = lines.map((line) => {
    const lineCents = line.price_cents * line.quantity;
    totalCents += lineCents;
    return {
      product_id: line.product_id,
      product_name: line.product_name,
      price: toMajor(line.price_cents),
      quantity: line.quantity,
      line_total: toMajor(lineCents),
    };
  });
  return { items, total: toMajor(totalCents) };
}

// ---------------------------------------------------------------------------------------
// Guest carts: no account, the cart's random id is its only key

export interface GuestCartRules {
  /** A guest cart lives this long after its last change. */
  ttlSeconds: number;
  /** Guest carts created per client address (see guestCartCreationLimiter). */
  creationsPerAddress: AttemptLimiter;
}

const HOUR_SECONDS = 3600;

/** The one answer for a cart that is unknown, expired or checked out, so a prober learns nothing from it. */
const GUEST_CART = 'That guest cart';

/** The throttle on guest cart creation: `maxPerHour` per client address, shared through Redis when the store has it. */
export function guestCartCreationLimiter(store: LimiterStore, maxPerHour: number): AttemptLimiter {
  return createAttemptLimiter(store, 'guest-cart-address', maxPerHour, HOUR_SECONDS);
}

/** A new, empty guest cart; each client address may create only so many an hour (429 with Retry-After past that). */
export async function createGuestCart(db: Db, rules: GuestCartRules, address: string): Promise<GuestCartResponse> {
  const hit = [{ limiter: rules.creationsPerAddress, key: address }];
  const wait = await hitAll(hit);
  if (wait > 0) throw new TooManyRequestsError('Too many guest carts from this address; try again later.', wait);
  const { now, expiresAt } = lifetime(rules);
  const cart = { id: randomBytes(GUEST_CART_ID_BYTES).toString('base64url'), now, expiresAt };
  try {
    await repo.insertGuestCart(db, cart);
  } catch (error) {
    // No cart was made (the database is out of reach): the attempt does not count.
    await releaseAll(hit);
    throw error;
  }
  return { cart_id: cart.id, items: [], total: 0, expires_at: expiresAt };
}

export async function getGuestCart(db: Db, cartId: string): Promise<GuestCartResponse> {
  const expiresAt = await repo.findLiveGuestCartExpiry(db, cartId, new Date().toISOString());
  if (expiresAt === undefined) throw new NotFoundError(GUEST_CART);
  return { cart_id: cartId, ...(await pricedLines(db, repo.guestCart(cartId))), expires_at: expiresAt };
}

/** The rules of POST /cart/add, for a guest cart. */
export function addToGuestCart(db: Db, rules: GuestCartRules, cartId: string, input: AddToGuestCartBody): Promise<GuestCartResponse> {
  return changeGuestCart(db, rules, cartId, (trx, cart) => addUnits(trx, cart, input));
}

/** The rules of POST /cart/remove, for a guest cart. */
export function removeFromGuestCart(db: Db, rules: GuestCartRules, cartId: string, input: RemoveFromGuestCartBody): Promise<GuestCartResponse> {
  return changeGuestCart(db, rules, cartId, (trx, cart) => removeUnits(trx, cart, input));
}

export function clearGuestCart(db: Db, rules: GuestCartRules, cartId: string): Promise<GuestCartResponse> {
  return changeGuestCart(db, rules, cartId, (trx, cart) => repo.deleteCartLines(trx, cart));
}

/**
 * One change to a live guest cart, in one transaction: the cart's expiry moves on first,
 * in a statement that finds the cart only while it is live (404 otherwise), then the
 * change is made. A change that is refused rolls back, expiry and all.
 */
async function changeGuestCart(
  db: Db,
  rules: GuestCartRules,
  cartId: string,
  change: (trx: Trx, cart: CartKey) => Promise<void>,
): Promise<GuestCartResponse> {
  const { now, expiresAt } = lifetime(rules);
  return inTransaction(db, async (trx) => {
    if (!(await repo.touchLiveGuestCart(trx, cartId, now, expiresAt))) throw new NotFoundError(GUEST_CART);
    const cart = repo.guestCart(cartId);
    await change(trx, cart);
    return { cart_id: cartId, ...(await pricedLines(trx, cart)), expires_at: expiresAt };
  });
}

function lifetime(rules: GuestCartRules): { now: string; expiresAt: string } {
  const now = Date.now();
  return { now: new Date(now).toISOString(), expiresAt: new Date(now + rules.ttlSeconds * 1000).toISOString() };
}

/** Deletes every guest cart expired by `now`, with its lines; answers how many went. */
export function purgeExpiredGuestCarts(db: Db, now = Date.now()): Promise<number> {
  return repo.deleteGuestCartsExpiredBy(db, new Date(now).toISOString());
}

/** For the orders module's guest checkout quote: the cart's lines of live products; NotFoundError for an unknown or expired cart. */
export async function readGuestCartLines(db: Queryable, cartId: string): Promise<{ product_id: number; quantity: number }[]> {
  if ((await repo.findLiveGuestCartExpiry(db, cartId, new Date().toISOString())) === undefined) throw new NotFoundError(GUEST_CART);
  return unpriced(await repo.findCartLines(db, repo.guestCart(cartId)));
}

/**
 * For the orders module's guest checkout, inside its transaction: locks the live cart's row
 * (NotFoundError when it is unknown or expired), takes its lines of live products and
 * deletes the cart. Of two checkouts of one cart at once, the second waits for the lock,
 * then finds the cart gone (404); a failed order rolls it all back. [] for an empty cart,
 * which is left as it is.
 */
export async function takeGuestCartForCheckout(trx: Trx, cartId: string): Promise<{ product_id: number; quantity: number }[]> {
  if (!(await repo.lockLiveGuestCart(trx, cartId, new Date().toISOString()))) throw new NotFoundError(GUEST_CART);
  const lines = await repo.takeCartLines(trx, repo.guestCart(cartId));
  // An empty cart stays, whatever the caller does with its refusal.
  if (lines.length > 0) await repo.deleteGuestCart(trx, cartId);
  return lines;
}
