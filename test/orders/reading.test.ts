import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { ISO_UTC, openOrderShop } from './shop.js';
import { assertProblem } from '../helpers/problem.js';

// GET /orders/{id}, GET /orders/track/{id} and GET /orders/p: who sees which orders.

test('when the owner or an admin reads an order, then 200 with the order and its lines', async (t) => {
  const { app, admin, ann, mug, placed } = await openOrderShop(t);
  const order = await placed(ann, [{ product_id: mug.id, quantity: 1 }]);

  const byOwner = await call(app, 'GET', `/orders/${order.id}`, { token: ann.token });
  const byAdmin = await call(app, 'GET', `/orders/${order.id}`, { token: admin.token });

  assert.equal(byOwner.status, 200);
  assert.equal(byAdmin.status, 200);
  assert.deepEqual(byOwner.body, order);
  assert.deepEqual(byAdmin.body, order);
});

test("when a customer reads another customer's order or its tracking, then 403 and nothing of the order is shown", async (t) => {
  const { app, ann, mug, placed, newCustomer } = await openOrderShop(t);
  const bob = await newCustomer();
  const order = await placed(ann, [{ product_id: mug.id, quantity: 1 }]);

  for (const path of [`/orders/${order.id}`, `/orders/track/${order.id}`]) {
    const response = await call(app, 'GET', path, { token: bob.token });
    assertProblem(response, 403, { code: 'FORBIDDEN' });
    assert.doesNotMatch(JSON.stringify(response.body), /Mug|19\.99|pending/, path);
  }
});

test('when an order id is unknown, then reading, tracking or cancelling it is 404, for an admin and a customer alike', async (t) => {
  const { app, admin, ann, mug, placed } = await openOrderShop(t);
  await placed(ann, [{ product_id: mug.id, quantity: 1 }]);

  for (const who of [admin, ann]) {
    assertProblem(await call(app, 'GET', '/orders/999999', { token: who.token }), 404, { code: 'NOT_FOUND' });
    assertProblem(await call(app, 'GET', '/orders/track/999999', { token: who.token }), 404, { code: 'NOT_FOUND' });
    assertProblem(await call(app, 'POST', '/orders/999999/cancel', { token: who.token }), 404, { code: 'NOT_FOUND' });
  }
});

test('when no token is sent, then every order route answers 401 and nothing changes', async (t) => {
  const { app, ann, mug, fill, placed, snapshot } = await openOrderShop(t);
  const order = await placed(ann, [{ product_id: mug.id, quantity: 1 }]);
  await fill(ann, [[mug, 1]]);
  const before = await snapshot();

  for (const [method, url, body] of [
    ['GET', `/orders/${order.id}`],
    ['GET', `/orders/track/${order.id}`],
    ['GET', '/orders/p'],
    ['POST', '/orders', { customer_id: ann.id, items: [{ product_id: mug.id, quantity: 1 }] }],
    ['POST', '/orders/from_cart', { customer_id: ann.id }],
    ['POST', `/orders/${order.id}/cancel`],
    ['POST', `/orders/${order.id}/status`, { status: 'paid' }],
  ] as const) {
    assertProblem(await call(app, method, url, body === undefined ? {} : { body }), 401, { code: 'UNAUTHORIZED' });
  }

  assert.deepEqual(await snapshot(), before);
});

test('when a new order is tracked, then it is pending with no tracking number and one history line for its placing', async (t) => {
  const { app, ann, mug, placed } = await openOrderShop(t);
  const order = await placed(ann, [{ product_id: mug.id, quantity: 1 }]);

  const tracked = await call(app, 'GET', `/orders/track/${order.id}`, { token: ann.token });

  assert.equal(tracked.status, 200);
  assert.deepEqual(tracked.body, {
    order_id: order.id,
    status: 'pending',
    tracking_number: null,
    history: [{ status: 'pending', at: order.created_at, note: 'Order placed' }],
  });
  assert.match(String(tracked.body.history[0]?.at), ISO_UTC);
});

test("when a customer is deleted, then an admin can still read, track and list its orders", async (t) => {
  const { app, admin, ann, mug, pen, placed, orderOf } = await openOrderShop(t);
  const first = await placed(ann, [{ product_id: mug.id, quantity: 2 }]);
  const second = await placed(ann, [{ product_id: pen.id, quantity: 1 }]);
  const deleted = await call(app, 'DELETE', `/customers/${ann.id}`, { token: admin.token });
  assert.equal(deleted.status, 200);

  const read = await call(app, 'GET', `/orders/${first.id}`, { token: admin.token });
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, first);
  assert.deepEqual(await orderOf(second.id), second);
  const tracked = await call(app, 'GET', `/orders/track/${first.id}`, { token: admin.token });
  assert.equal(tracked.status, 200);
  assert.equal(tracked.body.status, 'pending');
  const listed = await call(app, 'GET', `/orders/p?customer_id=${ann.id}`, { token: admin.token });
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.items, [second, first]);
  // Her old token is dead, so she cannot read them any more.
  assertProblem(await call(app, 'GET', `/orders/${first.id}`, { token: ann.token }), 401);
});

// Listing.

/** Ann places three orders and Bob two, alternating, so "newest first" and "own only" both show. */
async function fiveOrders(t: import('node:test').TestContext) {
  const shop = await openOrderShop(t);
  const bob = await shop.newCustomer();
  const { ann, pen, placed } = shop;
  const ids = { ann: [] as number[], bob: [] as number[], all: [] as number[] };
  for (const [who, name] of [[ann, 'ann'], [bob, 'bob'], [ann, 'ann'], [bob, 'bob'], [ann, 'ann']] as const) {
    const order = await placed(who, [{ product_id: pen.id, quantity: ids.all.length + 1 }]);
    ids[name].push(order.id);
    ids.all.push(order.id);
  }
  const page = (query: string, token: string) => call(shop.app, 'GET', `/orders/p${query}`, { token });
  const newestFirst = (list: number[]) => [...list].reverse();
  return { ...shop, bob, ids, page, newestFirst };
}

test('when a customer lists orders without a filter, then it sees only its own, newest first', async (t) => {
  const { ann, bob, ids, page, newestFirst } = await fiveOrders(t);

  const annsPage = await page('', ann.token);
  const bobsPage = await page('', bob.token);

  assert.equal(annsPage.status, 200);
  assert.deepEqual(annsPage.body.items.map((o: { id: number }) => o.id), newestFirst(ids.ann));
  assert.ok(annsPage.body.items.every((o: { customer_id: number }) => o.customer_id === ann.id));
  assert.deepEqual({ ...annsPage.body, items: undefined }, { items: undefined, page: 1, per_page: 10, total: 3, pages: 1 });
  assert.deepEqual(bobsPage.body.items.map((o: { id: number }) => o.id), newestFirst(ids.bob));
  assert.equal(bobsPage.body.total, 2);
});

test("when a customer filters by another customer's id, then 403; by its own id, then its own orders", async (t) => {
  const { ann, bob, ids, page, newestFirst } = await fiveOrders(t);

  const refused = await page(`?customer_id=${bob.id}`, ann.token);
  assertProblem(refused, 403, { code: 'FORBIDDEN' });
  assert.equal(refused.body.items, undefined);
  assertProblem(await page('?customer_id=424242', ann.token), 403, { code: 'FORBIDDEN' });

  const own = await page(`?customer_id=${ann.id}`, ann.token);
  assert.equal(own.status, 200);
  assert.deepEqual(own.body.items.map((o: { id: number }) => o.id), newestFirst(ids.ann));
});

test('when an admin lists orders, then it sees every order newest first, and customer_id narrows them to one customer', async (t) => {
  const { bob, admin, ids, page, newestFirst, orderOf } = await fiveOrders(t);

  const all = await page('', admin.token);
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.items.map((o: { id: number }) => o.id), newestFirst(ids.all));
  assert.equal(all.body.total, 5);
  // Each listed order is the whole order, lines included.
  assert.deepEqual(all.body.items[0], await orderOf(ids.all[4]!));

  const bobs = await page(`?customer_id=${bob.id}`, admin.token);
  assert.equal(bobs.status, 200);
  assert.deepEqual(bobs.body.items.map((o: { id: number }) => o.id), newestFirst(ids.bob));
  assert.deepEqual({ ...bobs.body, items: undefined }, { items: undefined, page: 1, per_page: 10, total: 2, pages: 1 });

  const nobody = await page('?customer_id=424242', admin.token);
  assert.deepEqual(nobody.body, { items: [], page: 1, per_page: 10, total: 0, pages: 0 });
});

test('when orders are paged two at a time, then pages hold 2, 2 and 1 orders, in order, with total and pages, and a page past the end is empty', async (t) => {
  const { admin, ids, page, newestFirst } = await fiveOrders(t);
  const expected = newestFirst(ids.all);

  const seen: number[] = [];
  for (const [n, size] of [[1, 2], [2, 2], [3, 1]]) {
    const response = await page(`?page=${n}&per_page=2`, admin.token);
    assert.equal(response.status, 200);
    assert.deepEqual({ ...response.body, items: undefined }, { items: undefined, page: n, per_page: 2, total: 5, pages: 3 });
    assert.equal(response.body.items.length, size);
    seen.push(...response.body.items.map((o: { id: number }) => o.id));
  }
  assert.deepEqual(seen, expected);

  const past = await page('?page=4&per_page=2', admin.token);
  assert.deepEqual(past.body, { items: [], page: 4, per_page: 2, total: 5, pages: 3 });
});

test('when a customer has no orders, then its list is empty with total 0 and pages 0', async (t) => {
  const { newCustomer, page } = await fiveOrders(t);
  const carl = await newCustomer();

  const response = await page('', carl.token);

  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { items: [], page: 1, per_page: 10, total: 0, pages: 0 });
});
