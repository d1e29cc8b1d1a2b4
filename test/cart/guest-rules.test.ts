import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { openGuestShop } from './guest-shop.js';
import { line } from './shop.js';

// A guest cart follows the customer cart's rules (POST /cart/add and /cart/remove): the
// same limits, the same answers, the same codes.

test('when a guest add is refused, then the answer says why, with the customer cart\'s code, and the cart is exactly as it was', async (t) => {
  const { newCart, fill, add, cartOf, product, deleteProduct, pen } = await openGuestShop(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 2]]);
  const refused = async (productId: number, quantity: number, status: number, code: string) => {
    const before = await cartOf(cartId);
    const response = await add(cartId, productId, quantity);
    assertProblem(response, status, { code });
    assert.deepEqual(await cartOf(cartId), before, 'no line and no expiry moved');
    return response;
  };

  await t.test('when the product is unknown or deleted, then 404', async () => {
    await refused(987654, 1, 404, 'NOT_FOUND');
    const gone = await product({ product_name: 'Gone', price: 1, stock: 5 });
    await deleteProduct(gone.id);
    await refused(gone.id, 1, 404, 'NOT_FOUND');
  });

  await t.test('when the line would pass a tracked stock, then 409 INSUFFICIENT_STOCK naming the product; exactly the stock is accepted', async () => {
    const lamp = await product({ product_name: 'Lamp', price: 40, stock: 5 });
    await fill(cartId, [[lamp, 4]]);
    const response = await refused(lamp.id, 2, 409, 'INSUFFICIENT_STOCK');
    assert.match(response.body.detail, new RegExp(`product ${lamp.id} \\("Lamp"\\): 5 left, 6 wanted`));
    assert.equal((await add(cartId, lamp.id, 1)).status, 200);
    assert.deepEqual((await cartOf(cartId)).items.find((item: { product_id: number }) => item.product_id === lamp.id), line(lamp, 5, 200));
  });

  await t.test('when a line would hold more than 1,000 units, then 409 LINE_LIMIT; exactly 1,000 is accepted', async () => {
    await refused(pen.id, 999, 409, 'LINE_LIMIT');
    assert.equal((await add(cartId, pen.id, 998)).status, 200);
    await refused(pen.id, 1, 409, 'LINE_LIMIT');
  });
});

test('when a guest cart holds 100 products, then a 101st is 409 CART_FULL, while more of one already there still fits', async (t) => {
  const { app, newCart, add, cartOf, pen } = await openGuestShop(t);
  const now = new Date().toISOString();
  const fillers = Array.from({ length: 100 }, (_, i) => ({ product_name: `Filler ${i}`, description: null, price_cents: 100, stock: null, created_at: now, updated_at: now }));
  const ids = (await app.db.insertInto('products').values(fillers).returning('id').execute()).map((row) => row.id);
  const cartId = await newCart();
  for (const id of ids.slice(0, 99)) assert.equal((await add(cartId, id, 1)).status, 200);
  assert.equal((await add(cartId, pen.id, 1)).status, 200, 'the 100th product');
  const before = await cartOf(cartId);

  assertProblem(await add(cartId, ids[99]!, 1), 409, { code: 'CART_FULL' });

  assert.deepEqual(await cartOf(cartId), before);
  assert.equal(before.items.length, 100);
  assert.equal((await add(cartId, pen.id, 4)).status, 200);
  assert.equal((await cartOf(cartId)).items.find((item: { product_id: number }) => item.product_id === pen.id).quantity, 5);
});

test('when a guest removes what is not in the cart, then 404 with or without a quantity; removing as much as the line holds or more removes it', async (t) => {
  const { newCart, fill, remove, cartOf, mug, pen } = await openGuestShop(t);
  const cartId = await newCart();
  await fill(cartId, [[pen, 3], [mug, 2]]);
  const before = await cartOf(cartId);

  assertProblem(await remove(cartId, 987654), 404, { code: 'NOT_FOUND' });
  assertProblem(await remove(cartId, 987654, 1), 404, { code: 'NOT_FOUND' });
  assert.deepEqual(await cartOf(cartId), before);

  assert.deepEqual((await remove(cartId, pen.id, 3)).body.items, [line(mug, 2, 39.98)], 'exactly what the line holds');
  assert.deepEqual((await remove(cartId, mug.id, 1000)).body.items, [], 'more than the line holds');
  assertProblem(await remove(cartId, mug.id, 1), 404, { code: 'NOT_FOUND' });
});

test('when two guests and a customer each put the whole stock in their carts, then all may, and a cart reserves nothing', async (t) => {
  const { app, admin, newCart, add, mug } = await openGuestShop(t);
  const [first, second] = [await newCart(), await newCart()];
  const me = await call(app, 'GET', '/customers/me', { token: admin });

  assert.equal((await add(first, mug.id, 10)).status, 200);
  assert.equal((await add(second, mug.id, 10)).status, 200);
  const customer = await call(app, 'POST', '/cart/add', { token: admin, body: { customer_id: me.body.id, product_id: mug.id, quantity: 10 } });
  assert.equal(customer.status, 200);
  assert.equal((await call(app, 'GET', `/products/${mug.id}`)).body.stock, 10);
});

test('when a guest cart and a customer cart hold the same product, then changing one leaves the other as it was', async (t) => {
  const { app, admin, newCart, fill, clear, cartOf, pen } = await openGuestShop(t);
  const cartId = await newCart();
  const me = await call(app, 'GET', '/customers/me', { token: admin });
  await fill(cartId, [[pen, 2]]);
  await call(app, 'POST', '/cart/add', { token: admin, body: { customer_id: me.body.id, product_id: pen.id, quantity: 7 } });

  assert.equal((await clear(cartId)).status, 200);

  assert.deepEqual((await cartOf(cartId)).items, []);
  const customerCart = await call(app, 'GET', `/cart/${me.body.id}`, { token: admin });
  assert.deepEqual(customerCart.body.items, [line(pen, 7, 0.7)]);
});
