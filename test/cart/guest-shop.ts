import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Config } from '../../src/config.js';
import { adminToken, buildTestApp, call, createProduct } from '../helpers/app.js';
import type { Product } from './shop.js';

/** A guest cart id of the right alphabet and length that no cart has (ids are random, so none ever will). */
export const NO_SUCH_CART = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * A fresh shop for one guest-cart test: an admin, a tracked Mug (19.99, stock 10) and an
 * untracked Pen (0.10), and the guest-cart calls every test makes, all without a token.
 */
export async function openGuestShop(t: TestContext, overrides: Partial<Config> = {}) {
  const app = await buildTestApp(t, overrides);
  const admin = await adminToken(app);
  const product = (fields: Record<string, unknown> = {}): Promise<Product> => createProduct(app, admin, fields);
  const mug = await product({ product_name: 'Mug', price: 19.99, stock: 10 });
  const pen = await product({ product_name: 'Pen', price: 0.1 });

  const create = (headers: Record<string, string> = {}) => call(app, 'POST', '/carts', { headers });
  /** A new cart's id; the setup of a test, not what it checks. */
  const newCart = async (): Promise<string> => {
    const created = await create();
    assert.equal(created.status, 201, `setup: creating a guest cart: ${JSON.stringify(created.body)}`);
    return created.body.cart_id;
  };
  const get = (cartId: string) => call(app, 'GET', `/carts/${cartId}`);
  const add = (cartId: string, productId: number, quantity: unknown) =>
    call(app, 'POST', `/carts/${cartId}/add`, { body: { product_id: productId, quantity } });
  const remove = (cartId: string, productId: number, quantity?: unknown) =>
    call(app, 'POST', `/carts/${cartId}/remove`, { body: { product_id: productId, ...(quantity === undefined ? {} : { quantity }) } });
  const clear = (cartId: string) => call(app, 'DELETE', `/carts/${cartId}`);

  /** Adds each [product, quantity] and insists it works. */
  const fill = async (cartId: string, lines: [Product, number][]) => {
    for (const [item, quantity] of lines) {
      const response = await add(cartId, item.id, quantity);
      assert.equal(response.status, 200, `setup: adding ${quantity} x ${item.product_name}: ${JSON.stringify(response.body)}`);
    }
  };

  /** The cart as GET answers it, for checking state after the call under test. */
  const cartOf = async (cartId: string) => {
    const response = await get(cartId);
    assert.equal(response.status, 200, `reading guest cart ${cartId}: ${JSON.stringify(response.body)}`);
    return response.body;
  };

  /** Makes time pass for one cart: its expiry is written into the past, as if its TTL had run out. */
  const expire = async (cartId: string) => {
    const past = new Date(Date.now() - 1000).toISOString();
    const result = await app.db.updateTable('guest_carts').set({ expires_at: past }).where('id', '=', cartId).executeTakeFirst();
    assert.equal(Number(result.numUpdatedRows), 1, `setup: expiring guest cart ${cartId}`);
  };

  /** The guest cart tables as they are, for what the API cannot show (rows of expired or purged carts). */
  const rows = async () => ({
    carts: await app.db.selectFrom('guest_carts').select(['id', 'expires_at']).orderBy('id').execute(),
    lines: await app.db.selectFrom('guest_cart_items').select(['cart_id', 'product_id', 'quantity']).orderBy('cart_id').orderBy('product_id').execute(),
  });

  const deleteProduct = async (id: number) => {
    const response = await call(app, 'DELETE', `/products/${id}`, { token: admin });
    assert.equal(response.status, 200, `deleting product ${id}: ${JSON.stringify(response.body)}`);
  };

  return { app, admin, mug, pen, product, create, newCart, get, add, remove, clear, fill, cartOf, expire, rows, deleteProduct };
}
