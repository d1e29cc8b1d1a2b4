// OWASP API1:2023 Broken Object Level Authorization: a caller names an object that is not
// its own (another customer, their cart, their order) and the API serves it.
// Defence: every route that names a customer or an order checks ownership in one place
// (shared/access.ts: a customer may act only on itself, an admin on anyone) before any
// read or write, so a customer naming someone else gets 403 and nothing changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptLogin, customerAsAdmin } from '../auth/helpers.js';
import { call } from '../helpers/app.js';
import { CUSTOMER_PASSWORD, openAttackShop } from './attack-helpers.js';
import { assertProblem } from '../helpers/problem.js';

test("when a customer reads, updates or deletes another customer's record, then 403 each time and the record, password and tokens are untouched", async (t) => {
  const { app, admin, victim, mallory, everything } = await openAttackShop(t);
  const victimRecord = await customerAsAdmin(app, admin.token, victim.id);
  const before = await everything();
  const url = `/customers/${victim.id}`;

  const attempts = {
    read: await call(app, 'GET', url, { token: mallory.token }),
    'take over the email': await call(app, 'PUT', url, { token: mallory.token, body: { email: 'mallory@example.com' } }),
    'set the password': await call(app, 'PUT', url, { token: mallory.token, body: { password: 'mallory-chose-this' } }),
    'an empty update': await call(app, 'PUT', url, { token: mallory.token, body: {} }),
    delete: await call(app, 'DELETE', url, { token: mallory.token }),
  };

  for (const [what, response] of Object.entries(attempts)) assertProblem(response, 403, { code: 'FORBIDDEN', what });
  assert.ok(!JSON.stringify(attempts.read.body).includes(victimRecord.email), 'the 403 shows her email');
  assert.deepEqual(await everything(), before);
  assert.equal((await attemptLogin(app, victimRecord.username, 'mallory-chose-this')).status, 401);
  assert.equal((await attemptLogin(app, victimRecord.username, CUSTOMER_PASSWORD)).status, 200);
  const me = await call(app, 'GET', '/customers/me', { token: victim.token });
  assert.equal(me.status, 200);
  assert.deepEqual(me.body, victimRecord);
});

test("when a customer names another customer's cart in the path or in the body, then 403 for each cart route and the cart keeps its lines", async (t) => {
  const { app, victim, mallory, mug, pen, cartOf, everything } = await openAttackShop(t);
  const victimCart = await cartOf(victim.id);
  assert.equal(victimCart.items.length, 1, 'setup: the victim has mugs in her cart');
  const before = await everything();

  const attempts = {
    'GET /cart/{victim}': await call(app, 'GET', `/cart/${victim.id}`, { token: mallory.token }),
    'DELETE /cart/{victim}': await call(app, 'DELETE', `/cart/${victim.id}`, { token: mallory.token }),
    'add to her cart': await call(app, 'POST', '/cart/add', {
      token: mallory.token,
      body: { customer_id: victim.id, product_id: pen.id, quantity: 1 },
    }),
    'remove her line': await call(app, 'POST', '/cart/remove', {
      token: mallory.token,
      body: { customer_id: victim.id, product_id: mug.id },
    }),
    'remove one of her units': await call(app, 'POST', '/cart/remove', {
      token: mallory.token,
      body: { customer_id: victim.id, product_id: mug.id, quantity: 1 },
    }),
  };

  for (const [what, response] of Object.entries(attempts)) assertProblem(response, 403, { code: 'FORBIDDEN', what });
  assert.doesNotMatch(JSON.stringify(attempts['GET /cart/{victim}'].body), /Mug|line_total/);
  assert.deepEqual(await cartOf(victim.id), victimCart);
  assert.deepEqual(await everything(), before);
});

test("when a customer reads, tracks or cancels another customer's order by its id, then 403 and the order stays pending with its history and stock", async (t) => {
  const { app, victim, mallory, victimOrder, orderOf, trackOf, everything } = await openAttackShop(t);
  const history = await trackOf(victimOrder.id);
  const before = await everything();

  const attempts = {
    read: await call(app, 'GET', `/orders/${victimOrder.id}`, { token: mallory.token }),
    track: await call(app, 'GET', `/orders/track/${victimOrder.id}`, { token: mallory.token }),
    cancel: await call(app, 'POST', `/orders/${victimOrder.id}/cancel`, { token: mallory.token }),
  };

  for (const [what, response] of Object.entries(attempts)) assertProblem(response, 403, { code: 'FORBIDDEN', what });
  for (const response of Object.values(attempts)) assert.doesNotMatch(JSON.stringify(response.body), /Pen|pending|history/);
  assert.deepEqual(await orderOf(victimOrder.id), victimOrder);
  assert.deepEqual(await trackOf(victimOrder.id), history);
  assert.deepEqual(await everything(), before);
  // The same calls are the victim's to make: the 403s were about ownership, not the routes.
  assert.deepEqual((await call(app, 'GET', `/orders/${victimOrder.id}`, { token: victim.token })).body, victimOrder);
});

test('when a customer places an order or checks out in the name of another customer, then 403, no order is placed and her cart and the stock are as they were', async (t) => {
  const { app, mallory, victim, mug, everything, allOrders, cartOf, stockOf } = await openAttackShop(t);
  const before = await everything();

  for (const customerId of [victim.id, 424242]) {
    for (const key of [undefined, `mallory-${customerId}`]) {
      const headers: Record<string, string> = key ? { 'idempotency-key': key } : {};
      const placed = await call(app, 'POST', '/orders', {
        token: mallory.token,
        headers,
        body: { customer_id: customerId, items: [{ product_id: mug.id, quantity: 1 }] },
      });
      const checkedOut = await call(app, 'POST', '/orders/from_cart', { token: mallory.token, headers, body: { customer_id: customerId } });
      assertProblem(placed, 403, { code: 'FORBIDDEN', what: `POST /orders for ${customerId}, key ${key}` });
      assertProblem(checkedOut, 403, { code: 'FORBIDDEN', what: `POST /orders/from_cart for ${customerId}, key ${key}` });
    }
  }

  assert.deepEqual(await everything(), before);
  assert.equal((await allOrders()).total, 1, 'the only order is the one the victim placed');
  assert.equal((await cartOf(victim.id)).items[0].quantity, 2);
  assert.equal(await stockOf(mug.id), 10);
});

test("when a customer lists orders filtered by another customer's id, then 403; unfiltered, it sees only its own orders", async (t) => {
  const { app, mallory, victim, pen, placed } = await openAttackShop(t);
  const own = await placed(mallory, [{ product_id: pen.id, quantity: 1 }]);

  const filtered = await call(app, 'GET', `/orders/p?customer_id=${victim.id}`, { token: mallory.token });
  const unfiltered = await call(app, 'GET', '/orders/p?per_page=100', { token: mallory.token });
  const ownFilter = await call(app, 'GET', `/orders/p?customer_id=${mallory.id}`, { token: mallory.token });

  assertProblem(filtered, 403, { code: 'FORBIDDEN', what: 'filtered by the victim' });
  assert.equal(unfiltered.status, 200);
  assert.deepEqual(unfiltered.body, { items: [own], page: 1, per_page: 100, total: 1, pages: 1 });
  assert.equal(ownFilter.status, 200);
  assert.deepEqual(ownFilter.body.items, [own]);
  // The victim's own listing is untouched by all this.
  const victims = await call(app, 'GET', '/orders/p', { token: victim.token });
  assert.deepEqual(victims.body.items.map((order: { customer_id: number }) => order.customer_id), [victim.id]);
});

test('when a customer walks every order and customer id in turn, then no id opens anything that is not its own', async (t) => {
  const { app, admin, mallory, victim, victimOrder, pen, placed } = await openAttackShop(t);
  const own = await placed(mallory, [{ product_id: pen.id, quantity: 1 }]);
  const highest = Math.max(own.id, victimOrder.id, victim.id, mallory.id) + 3;

  for (let id = 1; id <= highest; id += 1) {
    for (const url of [`/orders/${id}`, `/orders/track/${id}`]) {
      const response = await call(app, 'GET', url, { token: mallory.token });
      if (id === own.id) assert.equal(response.status, 200, url);
      else if (id === victimOrder.id) assertProblem(response, 403, { code: 'FORBIDDEN', what: url });
      else assertProblem(response, 404, { code: 'NOT_FOUND', what: url });
    }
    const customer = await call(app, 'GET', `/customers/${id}`, { token: mallory.token });
    if (id === mallory.id) assert.equal(customer.status, 200);
    // Unknown customer ids are 403 too, so the walk does not even learn which ids exist.
    else assertProblem(customer, 403, { code: 'FORBIDDEN', what: `/customers/${id}` });
  }
  // An admin may read anything, and an id nobody has is a plain 404, not an error.
  for (const [method, url, body] of [
    ['GET', '/orders/424242'],
    ['GET', '/orders/track/424242'],
    ['POST', '/orders/424242/cancel'],
    ['POST', '/orders/424242/status', { status: 'paid' }],
  ] as const) {
    assertProblem(await call(app, method, url, { token: admin.token, ...(body ? { body } : {}) }), 404, { code: 'NOT_FOUND', what: url });
  }
  assert.equal((await call(app, 'GET', `/orders/${victimOrder.id}`, { token: admin.token })).status, 200);
});
