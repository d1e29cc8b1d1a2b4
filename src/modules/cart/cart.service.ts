import type { Db, Queryable, Trx } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import type { Actor } from '../../shared/access.js';
import { ConflictError, InsufficientStockError, NotFoundError } from '../../shared/errors.js';
import { toMajor } from '../../shared/money.js';
import { assertMayActFor } from '../customers/customers.service.js';
import { findLiveProduct } from '../products/products.service.js';
import * as repo from './cart.repository.js';
import { type AddToCartBody, type CartResponse, MAX_CART_LINES, MAX_LINE_QUANTITY, type RemoveFromCartBody } from './cart.schemas.js';

/** How often a change that raced another is tried again before giving up with 409. */
const ATTEMPTS = 3;

export async function getCart(db: Db, actor: Actor, customerId: number): Promise<CartResponse> {
  await assertMayActFor(db, actor, customerId);
  return readCart(db, customerId);
}

/**
 * Adds to the line's quantity; a tracked product's stock must cover the whole line. The
 * database decides, in the statement that adds (cart.repository's addCartUnits); only when
 * it refused is the reason looked up, to answer it.
 */
export async function addToCart(db: Db, actor: Actor, input: AddToCartBody): Promise<CartResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  return inTransaction(db, async (trx) => {
    const line = { customerId: input.customer_id, productId: input.product_id, quantity: input.quantity, maxLine: MAX_LINE_QUANTITY };
    let added: number | undefined;
    for (let attempt = 1; (added = await repo.addCartUnits(trx, line)) === undefined; attempt += 1) {
      await explainRefusedAdd(trx, line);
      if (attempt === ATTEMPTS) throw new ConflictError('The cart or the stock kept changing; try again.');
    }
    // A line holding exactly the units just added is a new one: the cart may now hold one too many.
    if (added === input.quantity && (await repo.countCartLinesLocked(trx, input.customer_id)) > MAX_CART_LINES) {
      throw new ConflictError(`A cart holds at most ${MAX_CART_LINES} products; check out or remove one first.`, 'CART_FULL');
    }
    return readCart(trx, input.customer_id);
  });
}

/** Why the units could not be added: throws the answer, or returns if nothing stands in the way now (then the add is tried again). */
async function explainRefusedAdd(trx: Trx, line: { customerId: number; productId: number; quantity: number }): Promise<void> {
  const product = await findLiveProduct(trx, line.productId);
  const current = (await repo.findCartLineQuantity(trx, line.customerId, line.productId)) ?? 0;
  const wanted = current + line.quantity;
  if (wanted > MAX_LINE_QUANTITY) {
    throw new ConflictError(`A cart line holds at most ${MAX_LINE_QUANTITY} units; it has ${current}.`, 'LINE_LIMIT');
  }
  if (product.stock !== null && wanted > product.stock) {
    throw new InsufficientStockError(product.id, product.product_name, product.stock, wanted);
  }
}

/** Without a quantity the line goes; with one, that many come off (the line goes at zero or below). */
export async function removeFromCart(db: Db, actor: Actor, input: RemoveFromCartBody): Promise<CartResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  return inTransaction(db, async (trx) => {
    if (!(await takeUnits(trx, input.customer_id, input.product_id, input.quantity))) {
      throw new NotFoundError('That product in the cart');
    }
    return readCart(trx, input.customer_id);
  });
}

/** False when the product is not in the cart. */
async function takeUnits(trx: Trx, customerId: number, productId: number, quantity: number | undefined): Promise<boolean> {
  if (quantity === undefined) return repo.deleteCartLine(trx, customerId, productId);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    if (await repo.takeCartUnits(trx, customerId, productId, quantity)) return true;
    // Neither statement matched: the line is gone, or it grew between them.
    if ((await repo.findCartLineQuantity(trx, customerId, productId)) === undefined) return false;
  }
  throw new ConflictError('The cart kept changing; try again.');
}

export async function clearCart(db: Db, actor: Actor, customerId: number): Promise<CartResponse> {
  await assertMayActFor(db, actor, customerId);
  await repo.deleteCartLines(db, customerId);
  return readCart(db, customerId);
}

/** Claims the cart's lines for a checkout, emptying it (see takeCartLines); in the checkout's transaction. */
export function takeCartForCheckout(trx: Trx, customerId: number) {
  return repo.takeCartLines(trx, customerId);
}

export function emptyCart(db: Queryable, customerId: number): Promise<void> {
  return repo.deleteCartLines(db, customerId);
}

export function removeProductFromCarts(db: Queryable, productId: number): Promise<void> {
  return repo.deleteProductCartLines(db, productId);
}

async function readCart(db: Queryable, customerId: number): Promise<CartResponse> {
  const lines = await repo.findCartLines(db, customerId);
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
  return { customer_id: customerId, items, total: toMajor(totalCents) };
}
