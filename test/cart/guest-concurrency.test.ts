import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inTransaction } from '../../src/db/engine.js';
import { takeGuestCartForCheckout } from '../../src/modules/cart/cart.service.js';
import { NotFoundError } from '../../src/shared/errors.js';
import { onPostgres } from '../helpers/database.js';
import { countByStatus, listen } from '../helpers/http.js';
import { openGuestShop } from './guest-shop.js';

// A guest cart's changes run the customer cart's conditional statements, so concurrent
// requests all count and exactly as many pass a limit as fit under it; a checkout takes a
// cart once. Real concurrent HTTP requests, on SQLite and on PostgreSQL.

const where = onPostgres ? 'PostgreSQL' : 'SQLite';

const atOnce = <T>(count: number, send: (i: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => send(i)));

async function guestShopOverHttp(t: Parameters<typeof openGuestShop>[0]) {
  const shop = await openGuestShop(t);
  const http = await listen(t, shop.app);
  const cartId = await shop.newCart();
  const add = (productId: number, quantity: number) => http('POST', `/carts/${cartId}/add`, { body: { product_id: productId, quantity } });
  const remove = (productId: number, quantity: number) => http('POST', `/carts/${cartId}/remove`, { body: { product_id: productId, quantity } });
  const lineOf = async (productId: number) =>
    (await shop.cartOf(cartId)).items.find((item: { product_id: number }) => item.product_id === productId)?.quantity;
  return { ...shop, http, cartId, add, remove, lineOf };
}

test(`when 20 adds of one unit to the same guest cart line arrive at once on ${where}, then the line holds 20`, async (t) => {
  const { add, lineOf, product } = await guestShopOverHttp(t);
  const item = await product({ stock: 100 });

  const results = await atOnce(20, () => add(item.id, 1));

  assert.deepEqual(countByStatus(results), { 200: 20 });
  assert.equal(await lineOf(item.id), 20);
});

test(`when 20 adds of one unit arrive at once at a guest cart for a product with stock 15 on ${where}, then exactly 15 succeed`, async (t) => {
  const { add, lineOf, product } = await guestShopOverHttp(t);
  const item = await product({ stock: 15 });

  const results = await atOnce(20, () => add(item.id, 1));

  assert.deepEqual(countByStatus(results), { 200: 15, 409: 5 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'INSUFFICIENT_STOCK');
  assert.equal(await lineOf(item.id), 15);
});

test(`when adds and removals of one guest cart line interleave on ${where}, then the line ends at exactly what they add up to`, async (t) => {
  const { add, remove, lineOf, pen } = await guestShopOverHttp(t);
  assert.equal((await add(pen.id, 100)).status, 200);

  const results = await atOnce(40, (i) => (i % 2 === 0 ? add(pen.id, 3) : remove(pen.id, 2)));

  assert.deepEqual(countByStatus(results), { 200: 40 });
  assert.equal(await lineOf(pen.id), 100 + 20 * 3 - 20 * 2);
});

test(`when new products are added at once to a guest cart 2 short of its 100 products on ${where}, then exactly 2 get in and the rest are 409 CART_FULL`, async (t) => {
  const { app, add, cartOf, cartId } = await guestShopOverHttp(t);
  const now = new Date().toISOString();
  const fillers = Array.from({ length: 108 }, (_, i) => ({ product_name: `Filler ${i}`, description: null, price_cents: 100, stock: null, created_at: now, updated_at: now }));
  const ids = (await app.db.insertInto('products').values(fillers).returning('id').execute()).map((row) => row.id);
  for (const id of ids.slice(0, 98)) assert.equal((await add(id, 1)).status, 200);

  const results = await atOnce(10, (i) => add(ids[98 + i]!, 1));

  assert.deepEqual(countByStatus(results), { 200: 2, 409: 8 });
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'CART_FULL');
  assert.equal((await cartOf(cartId)).items.length, 100);
});

test(`when two checkouts take one guest cart at once on ${where}, then one gets its lines, the other finds it gone, and the cart is gone`, async (t) => {
  const { app, fill, get, rows, newCart, mug, pen } = await guestShopOverHttp(t);
  const cartId = await newCart();
  await fill(cartId, [[mug, 2], [pen, 5]]);

  const outcomes = await atOnce(2, () =>
    inTransaction(app.db, (trx) => takeGuestCartForCheckout(trx, cartId)).then(
      (lines) => ({ lines }),
      (error: unknown) => ({ error }),
    ),
  );

  const taken = outcomes.filter((outcome) => 'lines' in outcome);
  const refused = outcomes.filter((outcome) => 'error' in outcome);
  assert.equal(taken.length, 1);
  assert.deepEqual(taken[0]!.lines, [
    { product_id: mug.id, quantity: 2 },
    { product_id: pen.id, quantity: 5 },
  ]);
  assert.equal(refused.length, 1);
  assert.ok(refused[0]!.error instanceof NotFoundError, `the second checkout failed with ${String(refused[0]!.error)}`);
  assert.equal((await get(cartId)).status, 404);
  assert.deepEqual((await rows()).lines.filter((row) => row.cart_id === cartId), []);
});

test(`when a second checkout of a guest cart comes while the first still holds it on ${where}, then it waits, and then finds the cart gone`, async (t) => {
  const { app, fill, newCart, pen } = await guestShopOverHttp(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 5]]);
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  // When the first lets go: its commit and the second's answer, which that commit unblocks,
  // may then reach this process in either order (PostgreSQL sends both at once).
  let released = false;

  const first = inTransaction(app.db, async (trx) => {
    const lines = await takeGuestCartForCheckout(trx, cartId);
    await held;
    return lines;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = inTransaction(app.db, (trx) => takeGuestCartForCheckout(trx, cartId)).then(
    () => assert.fail('the second checkout took the cart too'),
    (error: unknown) => ({ error, afterRelease: released }),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  released = true;
  release();

  assert.deepEqual(await first, [{ product_id: pen.id, quantity: 5 }]);
  const { error, afterRelease } = await second;
  assert.ok(error instanceof NotFoundError, `the second checkout failed with ${String(error)}`);
  assert.ok(afterRelease, 'the second waited for the first to let go of the cart');
});

test(`when a checkout's transaction fails after taking a guest cart on ${where}, then the cart and its lines are back as they were`, async (t) => {
  const { app, fill, cartOf, newCart, pen } = await guestShopOverHttp(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 5]]);
  const before = await cartOf(cartId);

  await assert.rejects(
    inTransaction(app.db, async (trx) => {
      assert.equal((await takeGuestCartForCheckout(trx, cartId)).length, 1);
      throw new Error('the order could not be placed');
    }),
    /could not be placed/,
  );

  assert.deepEqual(await cartOf(cartId), before);
});

test(`when an empty or expired guest cart is taken for checkout on ${where}, then [] for the empty one (which stays) and NotFoundError for the expired one`, async (t) => {
  const { app, newCart, expire, get } = await guestShopOverHttp(t);
  const [empty, expired] = [await newCart(), await newCart()];
  await expire(expired);

  assert.deepEqual(await inTransaction(app.db, (trx) => takeGuestCartForCheckout(trx, empty)), []);
  assert.equal((await get(empty)).status, 200);
  await assert.rejects(inTransaction(app.db, (trx) => takeGuestCartForCheckout(trx, expired)), NotFoundError);
});
