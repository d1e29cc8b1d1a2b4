import type { Db } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { Actor } from '../../shared/access.js';
import { ConflictError, InsufficientStockError, NotFoundError } from '../../shared/errors.js';
import { toMajor } from '../../shared/money.js';
import { assertMayActFor } from '../customers/customers.service.js';
import { findLiveProduct } from '../products/products.service.js';
import * as repo from './cart.repository.js';
import { type AddToCartBody, type CartResponse, MAX_LINE_QUANTITY, type RemoveFromCartBody } from './cart.schemas.js';

export async function getCart(db: Db, actor: Actor, customerId: number): Promise<CartResponse> {
  await assertMayActFor(db, actor, customerId);
  return readCart(db, customerId);
}

/** Adds to the line's quantity; a tracked product's stock must cover the whole line. */
export async function addToCart(db: Db, actor: Actor, input: AddToCartBody): Promise<CartResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  return inTransaction(db, async (trx) => {
    const product = await findLiveProduct(trx, input.product_id);
    const current = (await repo.findCartLineQuantity(trx, input.customer_id, input.product_id)) ?? 0;
    const wanted = current + input.quantity;
    if (wanted > MAX_LINE_QUANTITY) {
      throw new ConflictError(`A cart line holds at most ${MAX_LINE_QUANTITY} units; it has ${current}.`, 'LINE_LIMIT');
    }
    if (product.stock !== null && wanted > product.stock) {
      throw new InsufficientStockError(product.id, product.product_name, product.stock, wanted);
    }
    await repo.upsertCartLine(trx, input.customer_id, input.product_id, wanted);
    return readCart(trx, input.customer_id);
  });
}

/** Without a quantity the line goes; with one, that many come off (the line goes at zero or below). */
export async function removeFromCart(db: Db, actor: Actor, input: RemoveFromCartBody): Promise<CartResponse> {
  await assertMayActFor(db, actor, input.customer_id);
  return inTransaction(db, async (trx) => {
    const current = await repo.findCartLineQuantity(trx, input.customer_id, input.product_id);
    if (current === undefined) throw new NotFoundError('That product in the cart');
    const left = input.quantity === undefined ? 0 : current - input.quantity;
    if (left > 0) await repo.upsertCartLine(trx, input.customer_id, input.product_id, left);
    else await repo.deleteCartLine(trx, input.customer_id, input.product_id);
    return readCart(trx, input.customer_id);
  });
}

export async function clearCart(db: Db, actor: Actor, customerId: number): Promise<CartResponse> {
  await assertMayActFor(db, actor, customerId);
  await repo.deleteCartLines(db, customerId);
  return readCart(db, customerId);
}

/** The lines to check out, by product id. */
export async function cartLines(db: Db, customerId: number) {
  const lines = await repo.findCartLines(db, customerId);
  return lines.map((line) => ({ product_id: line.product_id, quantity: line.quantity }));
}

export function emptyCart(db: Db, customerId: number): Promise<void> {
  return repo.deleteCartLines(db, customerId);
}

export function removeProductFromCarts(db: Db, productId: number): Promise<void> {
  return repo.deleteProductCartLines(db, productId);
}

async function readCart(db: Db, customerId: number): Promise<CartResponse> {
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
