import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/app.js';
import { assertProblem } from '../helpers/problem.js';
import { openOrderShop } from './shop.js';

// GET /orders/p filtered by status, guest, customer and q (an order id or a piece of the
// email), as the admin dashboard lists them; every filter pages on the server.

async function openFilterShop(t: Parameters<typeof openOrderShop>[0]) {
  const shop = await openOrderShop(t);
  const { app, ann, mug, placed, moveTo, cancel, admin } = shop;
  const bob = await shop.newCustomer();
  const annFirst = await placed(ann, [{ product_id: mug.id, quantity: 1 }]);
  const annPaid = await placed(ann, [{ product_id: mug.id, quantity: 1 }]);
  await moveTo(annPaid.id, 'paid');
  const bobCancelled = await placed(bob, [{ product_id: mug.id, quantity: 1 }]);
  assert.equal((await cancel(bobCancelled.id, admin)).status, 200);
  const cart = await call(app, 'POST', '/carts');
  await call(app, 'POST', `/carts/${cart.body.cart_id}/add`, { body: { product_id: mug.id, quantity: 1 } });
  const guest = await call(app, 'POST', `/carts/${cart.body.cart_id}/checkout`, { body: { email: 'Guest.Buyer_1@Example.com' } });
  assert.equal(guest.status, 201, JSON.stringify(guest.body));
  const ids = async (query: string, who = admin) => {
    const response = await call(app, 'GET', `/orders/p?${query}`, { token: who.token });
    assert.equal(response.status, 200, `${query}: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.total, response.body.items.length, `${query}: one page holds them all`);
    return response.body.items.map((order: { id: number }) => order.id);
  };
  return { ...shop, bob, annFirst, annPaid, bobCancelled, guestOrder: guest.body, ids };
}

test('when orders are filtered by status, payment status, guest or customer, then exactly the matching ones come back, newest first', async (t) => {
  const { ann, bob, annFirst, annPaid, bobCancelled, guestOrder, ids } = await openFilterShop(t);
  assert.deepEqual(await ids('status=pending'), [guestOrder.id, annFirst.id]);
  assert.deepEqual(await ids('status=paid'), [annPaid.id]);
  assert.deepEqual(await ids('status=shipped'), []);
  assert.deepEqual(await ids('guest=true'), [guestOrder.id]);
  assert.deepEqual(await ids('guest=false'), [bobCancelled.id, annPaid.id, annFirst.id]);
  assert.deepEqual(await ids(`customer_id=${bob.id}`), [bobCancelled.id]);
  assert.deepEqual(await ids(`customer_id=${ann.id}&status=pending`), [annFirst.id]);
  assert.deepEqual(await ids('guest=true&status=paid'), []);
  // The admin's "paid" records a manual payment, so that order's money is paid too.
  assert.deepEqual(await ids('payment_status=paid'), [annPaid.id]);
  assert.deepEqual(await ids('payment_status=unpaid'), [guestOrder.id, bobCancelled.id, annFirst.id]);
  assert.deepEqual(await ids('payment_status=refunded'), []);
});

test('when orders are searched with q, then an order id (with or without #) or a piece of the email matches, whatever its case, and LIKE wildcards match only themselves', async (t) => {
  const { app, admin, annPaid, guestOrder, ids } = await openFilterShop(t);
  assert.deepEqual(await ids(`q=${annPaid.id}`), [annPaid.id]);
  assert.deepEqual(await ids(`q=%23${annPaid.id}`), [annPaid.id]);
  assert.deepEqual(await ids('q=guest.buyer'), [guestOrder.id]);
  assert.deepEqual(await ids('q=BUYER_1@EXAMPLE'), [guestOrder.id]);
  assert.deepEqual(await ids('q=%25'), [], 'a % is a percent sign, not "anything"');
  assert.deepEqual(await ids('q=buyer%5F1'), [guestOrder.id], 'an _ matches an underscore');
  assert.deepEqual(await ids('q=buyerX1'), [], 'and not any character');
  assert.deepEqual(await ids('q=99999999999'), [], 'a number past any id is only searched in emails');
  assertProblem(await call(app, 'GET', '/orders/p?q=', { token: admin.token }), 400, { code: 'VALIDATION_FAILED' });
});

test('when a customer filters its orders, then it still sees only its own; a bad filter is 400', async (t) => {
  const { app, ann, bob, annFirst, annPaid, ids } = await openFilterShop(t);
  assert.deepEqual(await ids('status=pending', ann), [annFirst.id]);
  assert.deepEqual(await ids('guest=true', ann), []);
  assert.ok(!(await ids(`q=${annPaid.id}`, bob)).includes(annPaid.id), "another customer's order is not found by its id");
  assertProblem(await call(app, 'GET', `/orders/p?customer_id=${bob.id}`, { token: ann.token }), 403, { code: 'FORBIDDEN' });
  for (const query of ['status=lost', 'payment_status=lost', 'guest=maybe', 'customer_id=0']) {
    assertProblem(await call(app, 'GET', `/orders/p?${query}`, { token: ann.token }), 400, { code: 'VALIDATION_FAILED', what: query });
  }
});

test('when a filtered list is paged, then total and pages count the matches and the pages hold them in order', async (t) => {
  const { ann, mug, placed, admin, app } = await openOrderShop(t);
  const orders = [];
  for (let i = 0; i < 5; i += 1) orders.push((await placed(ann, [{ product_id: mug.id, quantity: 1 }])).id);
  const first = await call(app, 'GET', '/orders/p?status=pending&per_page=2', { token: admin.token });
  const last = await call(app, 'GET', '/orders/p?status=pending&per_page=2&page=3', { token: admin.token });
  assert.deepEqual([first.body.total, first.body.pages], [5, 3]);
  assert.deepEqual(first.body.items.map((o: { id: number }) => o.id), [orders[4], orders[3]]);
  assert.deepEqual(last.body.items.map((o: { id: number }) => o.id), [orders[0]]);
});
