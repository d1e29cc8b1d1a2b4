import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { shopState } from '../helpers/snapshot.js';
import { CALIFORNIA, type CheckoutShop, answered, cents, moneyFieldsOf, openCheckoutShop } from './shop.js';

/** A guest cart holding these lines. */
async function guestCart(shop: CheckoutShop, lines: { product_id: number; quantity: number }[]): Promise<string> {
  const created = await call(shop.app, 'POST', '/carts');
  assert.equal(created.status, 201, JSON.stringify(created.body));
  for (const line of lines) {
    const added = await call(shop.app, 'POST', `/carts/${created.body.cart_id}/add`, { body: line });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  }
  return created.body.cart_id;
}

test('when a guest checks out a cart, then 201 with a guest order and its token, the cart is gone, and the token opens the order', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ price: 19.99, stock: 5 });
  const rate = await shop.shippingRate({ price: 4.99 });
  await shop.taxRate({ country_code: 'US', region_code: 'CA', rate: 7.25 });
  const cartId = await guestCart(shop, [{ product_id: mug.id, quantity: 2 }]);
  const body = { email: 'guest@example.com', shipping_address: CALIFORNIA, shipping_rate_id: rate.id, note: 'Gift' };

  const quote = await call(shop.app, 'POST', `/carts/${cartId}/checkout/quote`, { body });
  assert.equal(quote.status, 200);
  const placed = await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body });

  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const order = placed.body;
  assert.equal(order.customer_id, null);
  assert.equal(order.email, 'guest@example.com');
  assert.match(order.order_token, /^[A-Za-z0-9_-]{43}$/, '256 random bits, URL-safe');
  assert.deepEqual(moneyFieldsOf(quote.body), moneyFieldsOf(order));
  assert.equal(cents(order.total), 3998 + 499 + 290 + 36);
  assert.deepEqual(order.shipping_address, answered(CALIFORNIA));
  assertProblem(await call(shop.app, 'GET', `/carts/${cartId}`), 404);
  assert.equal((await call(shop.app, 'GET', `/products/${mug.id}`)).body.stock, 3);

  const { order_token: token, ...visible } = order;
  const read = await call(shop.app, 'GET', `/orders/${order.id}?order_token=${token}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, visible, 'the token itself is answered only at checkout');
  const tracked = await call(shop.app, 'GET', `/orders/track/${order.id}?order_token=${token}`);
  assert.equal(tracked.status, 200);
  assert.equal(tracked.body.status, 'pending');
  const listed = await call(shop.app, 'GET', '/orders/p', { token: shop.admin });
  assert.deepEqual(listed.body.items, [visible], "the admin's list shows the guest order");
});

test('when a guest order is asked for with a wrong token, no token or a customer token, then 404, 401 and 403', async (t) => {
  const shop = await openCheckoutShop(t);
  const pen = await shop.product({ requires_shipping: false });
  const cartId = await guestCart(shop, [{ product_id: pen.id, quantity: 1 }]);
  const placed = await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body: { email: 'guest@example.com' } });
  assert.equal(placed.status, 201);
  const id = placed.body.id;
  const other = await call(shop.app, 'POST', `/carts/${await guestCart(shop, [{ product_id: pen.id, quantity: 1 }])}/checkout`, {
    body: { email: 'other@example.com' },
  });

  for (const url of [`/orders/${id}`, `/orders/track/${id}`]) {
    assertProblem(await call(shop.app, 'GET', `${url}?order_token=${'x'.repeat(43)}`), 404);
    assertProblem(await call(shop.app, 'GET', `${url}?order_token=${other.body.order_token}`), 404, { what: "another order's token" });
    assertProblem(await call(shop.app, 'GET', url), 401);
    assertProblem(await call(shop.app, 'GET', url, { token: shop.buyer.token }), 403);
  }
  assertProblem(await call(shop.app, 'POST', `/orders/${id}/cancel?order_token=wrong`), 404);
  assert.equal((await shop.orderOf(id)).status, 'pending');
});

test('when a guest cancels its pending order with its token, then it is cancelled and the stock returns', async (t) => {
  const shop = await openCheckoutShop(t);
  const pen = await shop.product({ requires_shipping: false, stock: 4 });
  const cartId = await guestCart(shop, [{ product_id: pen.id, quantity: 3 }]);
  const placed = await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body: { email: 'guest@example.com' } });
  const { id, order_token: token } = placed.body;

  const cancelled = await call(shop.app, 'POST', `/orders/${id}/cancel?order_token=${token}`);

  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal((await call(shop.app, 'GET', `/products/${pen.id}`)).body.stock, 4);
  assertProblem(await call(shop.app, 'POST', `/orders/${id}/cancel?order_token=${token}`), 409, { code: 'ILLEGAL_STATUS_CHANGE' });
});

test('when a guest checkout is repeated with its Idempotency-Key, then the same order and token are answered and nothing more is placed', async (t) => {
  const shop = await openCheckoutShop(t);
  const pen = await shop.product({ requires_shipping: false, stock: 10 });
  const cartId = await guestCart(shop, [{ product_id: pen.id, quantity: 2 }]);
  const body = { email: 'guest@example.com' };
  const headers = { 'idempotency-key': 'checkout-1' };

  const first = await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body, headers });
  const again = await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body, headers });

  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.deepEqual(again.body, first.body);
  assert.equal((await call(shop.app, 'GET', '/orders/p', { token: shop.admin })).body.total, 1);
  assert.equal((await call(shop.app, 'GET', `/products/${pen.id}`)).body.stock, 8);
  const reused = await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body: { email: 'else@example.com' }, headers });
  assertProblem(reused, 409, { code: 'IDEMPOTENCY_KEY_REUSED' });
  assertProblem(await call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body }), 404, { what: 'without the key: the cart is gone' });
});

test('when a guest cart is empty, unknown or the body is bad, then 409, 404 or 400 and nothing is placed', async (t) => {
  const shop = await openCheckoutShop(t);
  const pen = await shop.product({ stock: 3 });
  await shop.shippingRate();
  const empty = await guestCart(shop, []);
  const full = await guestCart(shop, [{ product_id: pen.id, quantity: 1 }]);
  const before = await shopState(shop.app, shop.admin);

  assertProblem(await call(shop.app, 'POST', `/carts/${empty}/checkout`, { body: { email: 'g@example.com' } }), 409, { code: 'EMPTY_CART' });
  assertProblem(await call(shop.app, 'POST', `/carts/${'A'.repeat(empty.length)}/checkout`, { body: { email: 'g@example.com' } }), 404);
  assertProblem(await call(shop.app, 'POST', `/carts/${full}/checkout`, { body: {} }), 400, { code: 'VALIDATION_FAILED' });
  assertProblem(await call(shop.app, 'POST', `/carts/${full}/checkout`, { body: { email: 'g@example.com', shipping_address_id: 1 } }), 400);
  const unshipped = await call(shop.app, 'POST', `/carts/${full}/checkout`, { body: { email: 'g@example.com' } });
  assertProblem(unshipped, 400, { code: 'SHIPPING_REQUIRED' });

  assert.deepEqual(await shopState(shop.app, shop.admin), before);
  assert.equal((await call(shop.app, 'GET', `/carts/${full}`)).body.items.length, 1, 'a refused checkout leaves the cart as it was');
});

test('when 50 guests check out at once with a stock of 10, then exactly 10 orders are placed and the stock is 0', async (t) => {
  const shop = await openCheckoutShop(t);
  const mug = await shop.product({ stock: 10, requires_shipping: false });
  const carts = [];
  for (let i = 0; i < 50; i += 1) carts.push(await guestCart(shop, [{ product_id: mug.id, quantity: 1 }]));

  const results = await Promise.all(carts.map((cartId) => call(shop.app, 'POST', `/carts/${cartId}/checkout`, { body: { email: 'g@example.com' } })));

  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [...Array(10).fill(201), ...Array(40).fill(409)]);
  for (const refused of results.filter((r) => r.status === 409)) assert.equal(refused.body.code, 'INSUFFICIENT_STOCK');
  assert.equal((await call(shop.app, 'GET', `/products/${mug.id}`)).body.stock, 0);
  assert.equal((await call(shop.app, 'GET', '/orders/p', { token: shop.admin })).body.total, 10);
});
